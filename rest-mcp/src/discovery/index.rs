//! A lexical ranker over tool definitions: BM25F, with each field (name, summary, tags,
//! path, parameter names, description) weighted and length-normalised on its own, query
//! terms expanded by their verb synonyms at a lower weight. Built once from the tool set,
//! deterministic, and a few microseconds per document to query.

use std::collections::HashMap;

use super::terms::{is_stopword, is_value, method_terms, synonyms, terms};

/// What the index knows of one tool.
#[derive(Clone, Debug, Default)]
pub struct SearchDocument {
    /// The tool's name.
    pub name: String,
    /// One line about it (the operation summary, else the description's first sentence).
    pub summary: String,
    /// The longer description.
    pub description: String,
    /// The HTTP method, when the tool is an HTTP operation.
    pub method: Option<String>,
    /// The path template, when the tool is an HTTP operation.
    pub path: Option<String>,
    /// The operation's tags.
    pub tags: Vec<String>,
    /// The tool's argument names.
    pub parameters: Vec<String>,
}

/// The searchable fields, in the order of [`FIELD_WEIGHTS`].
const FIELDS: usize = 6;
/// How much a match in each field counts: name, summary, tags, path, parameters,
/// description.
const FIELD_WEIGHTS: [f32; FIELDS] = [3.0, 2.0, 1.5, 1.5, 1.0, 0.6];
/// BM25's length normalisation per field (descriptions vary most in length).
const FIELD_B: [f32; FIELDS] = [0.3, 0.5, 0.3, 0.3, 0.5, 0.75];
const K1: f32 = 1.2;
/// A synonym's match counts this much of the word's own.
const SYNONYM_WEIGHT: f32 = 0.4;
/// A value's terms (`octocat/hello`) count this much.
const VALUE_WEIGHT: f32 = 0.2;

/// A BM25F index over tool documents.
#[derive(Debug)]
pub struct SearchIndex {
    /// Term → the documents it occurs in, with its weighted, length-normalised
    /// frequency there (BM25F's combined term frequency).
    postings: HashMap<String, Vec<(u32, f32)>>,
    documents: usize,
    expand: bool,
    /// Per document: its HTTP method's intent and whether its path names a collection.
    intents: Vec<(Option<Intent>, bool)>,
    /// Per document: the distinct terms of its name, for how much of it the query
    /// explains.
    name_terms: Vec<Vec<String>>,
}

/// A document whose whole name the query explains (`repos_get` for "get a repository")
/// is worth up to this much more than one whose name it barely touches.
const NAME_COVERAGE: f32 = 0.5;

/// What an agent means to do, from its first verb: read, create, change or delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Intent {
    Read,
    Create,
    Update,
    Delete,
}

/// A matching method multiplies a document's score by this; a different one by
/// [`OTHER_METHOD`].
const SAME_METHOD: f32 = 1.5;
const OTHER_METHOD: f32 = 0.7;
/// A read that names things in the plural ("what pods are running") favours a
/// collection (`GET /pods`) over one item (`GET /pods/{name}`) by this much.
const COLLECTION_READ: f32 = 1.25;

impl SearchIndex {
    /// The ranker: fields weighted, verbs expanded.
    pub fn new(documents: &[SearchDocument]) -> SearchIndex {
        SearchIndex::build(documents, FIELD_WEIGHTS, true)
    }

    /// A plain BM25 over name + summary + description with equal weights and no synonyms:
    /// the baseline the ranker is measured against.
    pub fn plain(documents: &[SearchDocument]) -> SearchIndex {
        let plain: Vec<SearchDocument> = documents
            .iter()
            .map(|d| SearchDocument {
                name: d.name.clone(),
                summary: d.summary.clone(),
                description: d.description.clone(),
                ..SearchDocument::default()
            })
            .collect();
        SearchIndex::build(&plain, [1.0, 1.0, 0.0, 0.0, 0.0, 1.0], false)
    }

    fn build(documents: &[SearchDocument], weights: [f32; FIELDS], expand: bool) -> SearchIndex {
        let intents = documents
            .iter()
            .map(|d| {
                let intent = d.method.as_deref().and_then(Intent::of_method);
                let collection = d.path.as_deref().is_some_and(|p| {
                    p.trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .is_some_and(|last| !last.starts_with('{'))
                });
                (intent, collection)
            })
            .collect();
        let name_terms = documents
            .iter()
            .map(|d| {
                let mut terms = terms(&d.name);
                terms.sort();
                terms.dedup();
                terms
            })
            .collect();
        let mut per_document = Vec::with_capacity(documents.len());
        let mut totals = [0f32; FIELDS];
        for document in documents {
            let mut path_text = document.path.clone().unwrap_or_default();
            if expand && let Some(method) = &document.method {
                for verb in method_terms(method) {
                    path_text.push(' ');
                    path_text.push_str(verb);
                }
            }
            let texts = [
                document.name.clone(),
                document.summary.clone(),
                document.tags.join(" "),
                path_text,
                document.parameters.join(" "),
                document.description.clone(),
            ];
            let mut counts: [HashMap<String, f32>; FIELDS] = Default::default();
            let mut length = [0f32; FIELDS];
            for (field, text) in texts.iter().enumerate() {
                for term in terms(text) {
                    *counts[field].entry(term).or_default() += 1.0;
                    length[field] += 1.0;
                }
                totals[field] += length[field];
            }
            per_document.push((counts, length));
        }
        let n = documents.len().max(1) as f32;
        let average = totals.map(|total| (total / n).max(1.0));
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        for (index, (counts, length)) in per_document.into_iter().enumerate() {
            let mut combined: HashMap<String, f32> = HashMap::new();
            for (field, counts) in counts.into_iter().enumerate() {
                let norm = 1.0 - FIELD_B[field] + FIELD_B[field] * length[field] / average[field];
                for (term, count) in counts {
                    *combined.entry(term).or_default() += weights[field] * count / norm;
                }
            }
            for (term, tf) in combined {
                if tf > 0.0 {
                    postings.entry(term).or_default().push((index as u32, tf));
                }
            }
        }
        SearchIndex {
            postings,
            documents: documents.len(),
            name_terms,
            expand,
            intents,
        }
    }

    /// The best `limit` documents for `query`, best first, as (index, score); documents
    /// `keep` refuses are skipped. Ties keep the documents' order.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        keep: impl Fn(usize) -> bool,
    ) -> Vec<(usize, f32)> {
        let groups = self.query_groups(query);
        if groups.is_empty() {
            return Vec::new();
        }
        let intent = self.expand.then(|| Intent::of_query(query)).flatten();
        let plural = self.expand && names_plural(query);
        // Per document and query word: the best score of the word or one of its synonyms
        // (each word counts once). Only documents holding some term are touched.
        let width = groups.len();
        let mut best = vec![0f32; self.documents * width];
        let n = self.documents as f32;
        let idf_of = |postings: &Vec<(u32, f32)>| {
            let df = postings.len() as f32;
            ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
        };
        for (g, group) in groups.iter().enumerate() {
            // A synonym stands in for the word: it is never worth more than the word
            // itself would be (a rare synonym must not outrank the common word asked for).
            let word_idf = group
                .first()
                .and_then(|(word, _)| self.postings.get(word))
                .map(idf_of);
            for (term, weight) in group {
                let Some(postings) = self.postings.get(term) else {
                    continue;
                };
                let idf = match word_idf {
                    Some(word_idf) => idf_of(postings).min(word_idf),
                    None => idf_of(postings),
                };
                for &(document, tf) in postings {
                    let slot = &mut best[document as usize * width + g];
                    *slot = slot.max(weight * idf * tf / (K1 + tf));
                }
            }
        }
        let mut scored: Vec<(usize, f32)> = Vec::new();
        for (index, words) in best.chunks(width).enumerate() {
            let score: f32 = words.iter().sum();
            if score <= 0.0 {
                continue;
            }
            // A document that meets more of the query's words is worth more (coordination).
            let coverage = if self.expand {
                let matched = words.iter().filter(|w| **w > 0.0).count();
                (matched as f32 / width as f32).sqrt()
            } else {
                1.0
            };
            let explained = if self.expand {
                let name = &self.name_terms[index];
                let hits = name
                    .iter()
                    .filter(|t| groups.iter().flatten().any(|(q, _)| q == *t))
                    .count();
                1.0 + NAME_COVERAGE * hits as f32 / name.len().max(1) as f32
            } else {
                1.0
            };
            let score = score * coverage * explained * self.intent_factor(index, intent, plural);
            if keep(index) {
                scored.push((index, score));
            }
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        scored
    }

    /// How much the agent's intent favours document `index`'s method and path.
    fn intent_factor(&self, index: usize, intent: Option<Intent>, plural: bool) -> f32 {
        let (Some(wanted), (Some(method), collection)) = (intent, self.intents[index]) else {
            return 1.0;
        };
        if wanted != method {
            return OTHER_METHOD;
        }
        if wanted == Intent::Read && plural && collection {
            SAME_METHOD * COLLECTION_READ
        } else {
            SAME_METHOD
        }
    }

    /// The query's words, each as its term (weight 1, less for values) and its synonyms
    /// (lower); stopwords left out.
    fn query_groups(&self, query: &str) -> Vec<Vec<(String, f32)>> {
        let mut groups: Vec<Vec<(String, f32)>> = Vec::new();
        for word in query.split_whitespace() {
            // Values the agent will pass (`octocat/hello`, `a@b.com`) say little about which
            // operation it wants; the ranker lets them count a little.
            let value = self.expand && is_value(word);
            for term in terms(word) {
                if is_stopword(&term) || groups.iter().any(|g| g[0].0 == term) {
                    continue;
                }
                let mut group = vec![(term.clone(), if value { VALUE_WEIGHT } else { 1.0 })];
                if self.expand && !value {
                    group.extend(synonyms(&term).into_iter().map(|s| (s, SYNONYM_WEIGHT)));
                }
                groups.push(group);
            }
        }
        groups
    }
}

impl Intent {
    fn of_method(method: &str) -> Option<Intent> {
        match method.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" => Some(Intent::Read),
            "POST" => Some(Intent::Create),
            "PUT" | "PATCH" => Some(Intent::Update),
            "DELETE" => Some(Intent::Delete),
            _ => None,
        }
    }

    /// The intent of the query's first word that has one: questions and viewing verbs
    /// read, `add`/`create`/`new` create, `change`/`set`/`rename` update, `remove`/`delete`
    /// delete.
    pub(crate) fn of_query(query: &str) -> Option<Intent> {
        query.split_whitespace().find_map(|word| {
            let word = word
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            Some(match word.as_str() {
                "what" | "which" | "who" | "whose" | "how" | "when" | "where" | "is" | "are"
                | "does" | "show" | "list" | "get" | "find" | "see" | "view" | "fetch"
                | "display" | "read" | "look" | "lookup" | "check" | "count" | "download"
                | "retrieve" | "browse" | "search" | "inspect" => Intent::Read,
                "create" | "add" | "new" | "post" | "register" | "submit" | "publish"
                | "upload" | "invite" | "generate" | "issue" | "send" | "leave" => Intent::Create,
                "update" | "edit" | "change" | "modify" | "set" | "rename" | "replace"
                | "patch" | "enable" | "disable" | "configure" | "adjust" | "scale" | "turn" => {
                    Intent::Update
                }
                "delete" | "remove" | "destroy" | "erase" | "drop" | "purge" | "revoke"
                | "unset" => Intent::Delete,
                _ => return None,
            })
        })
    }
}

/// Whether the query names something in the plural (`pods`, `repositories`), a sign it
/// wants a list rather than one item.
fn names_plural(query: &str) -> bool {
    query.split_whitespace().any(|word| {
        let word = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        word.len() > 3
            && word.ends_with('s')
            && !word.ends_with("ss")
            && !word.ends_with("us")
            && !word.ends_with("is")
            && !is_value(&word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(name: &str, method: &str, path: &str, summary: &str) -> SearchDocument {
        SearchDocument {
            name: name.into(),
            summary: summary.into(),
            method: Some(method.into()),
            path: Some(path.into()),
            ..SearchDocument::default()
        }
    }

    fn corpus() -> Vec<SearchDocument> {
        vec![
            document(
                "issues_list_for_repo",
                "GET",
                "/repos/{owner}/{repo}/issues",
                "List repository issues",
            ),
            document(
                "issues_create",
                "POST",
                "/repos/{owner}/{repo}/issues",
                "Create an issue",
            ),
            document(
                "repos_delete_webhook",
                "DELETE",
                "/repos/{owner}/{repo}/hooks/{hook_id}",
                "Delete a repository webhook",
            ),
            document(
                "repos_list_for_user",
                "GET",
                "/users/{username}/repos",
                "List repositories for a user",
            ),
        ]
    }

    #[test]
    fn an_agents_words_find_the_operation() {
        let index = SearchIndex::new(&corpus());
        let top = |q: &str| index.search(q, 1, |_| true).first().map(|(i, _)| *i);
        assert_eq!(top("show the open issues in octocat/hello"), Some(0));
        assert_eq!(top("open a new issue"), Some(1));
        assert_eq!(top("remove a hook"), Some(2));
        assert_eq!(top("what repositories does this user have"), Some(3));
        assert_eq!(top("the of and"), None, "stopwords alone match nothing");
    }

    #[test]
    fn refused_documents_are_never_returned() {
        let index = SearchIndex::new(&corpus());
        let found = index.search("delete webhook", 5, |i| i != 2);
        assert!(found.iter().all(|(i, _)| *i != 2));
    }

    #[test]
    fn the_plain_baseline_has_no_synonyms() {
        let plain = SearchIndex::plain(&corpus());
        assert!(
            plain
                .search("remove hook", 5, |_| true)
                .iter()
                .all(|(i, _)| *i != 2)
        );
    }
}
