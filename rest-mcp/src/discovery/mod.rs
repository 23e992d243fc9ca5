//! Dynamic tool sets: a big API served as three meta-tools (`search_tools`,
//! `describe_tools`, `call_tool`) instead of hundreds of definitions, so GitHub's 1,223
//! tools cost a model a few hundred tokens of context instead of 900,000. The tools behind
//! them are the same: `call_tool` runs the same handler, with the same validation and the
//! same result, as a direct call would.
//!
//! ```
//! use rest_mcp::ToolSet;
//! let dynamic = ToolSet::new().to_dynamic();
//! let names: Vec<_> = dynamic.tools().iter().map(|t| t.name.to_string()).collect();
//! assert_eq!(names, ["search_tools", "describe_tools", "call_tool"]);
//! ```

mod index;
mod meta_tools;
mod terms;

pub use index::{SearchDocument, SearchIndex};

use std::sync::Arc;

use rmcp::model::Tool;

use crate::toolset::ToolSet;

/// Which tools a server offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolMode {
    /// Every tool, as itself.
    All,
    /// The three meta-tools: search, describe, call.
    Dynamic,
    /// Every tool when their definitions fit the budget (in estimated tokens) or the
    /// client searches tools itself; the meta-tools otherwise.
    Auto {
        /// The most estimated tokens of definitions served as they are.
        budget_tokens: usize,
    },
}

/// The default budget of `auto`: 20,000 estimated tokens, a tenth of a 200k-token context
/// window (the share at which clients that search tools themselves start doing so). A
/// model still has nine tenths for the task; GitHub (about 937,000) and Stripe (about
/// 990,000) go dynamic, a pet store (about 3,000) is served whole.
pub const DEFAULT_TOOL_BUDGET: usize = 20_000;

impl Default for ToolMode {
    fn default() -> Self {
        ToolMode::Auto {
            budget_tokens: DEFAULT_TOOL_BUDGET,
        }
    }
}

/// Clients known to search a large tool list themselves (they index names and
/// descriptions and fetch schemas on demand), so `auto` serves them every tool.
const SELF_SEARCHING_CLIENTS: &[&str] = &["claude-code"];

/// Why a mode serves what it serves.
enum Choice {
    /// `--tools all` or `--tools dynamic`.
    Fixed(bool),
    /// A client that searches tool lists itself: every tool.
    SelfSearching,
    /// By size against the budget: dynamic when over it.
    Budget { tokens: usize, budget: usize },
}

impl ToolMode {
    /// Whether `tools` are served dynamically to a client called `client` (its
    /// `clientInfo.name`, when known). Cheap: asked on every request.
    pub fn serves_dynamic(&self, tools: &ToolSet, client: Option<&str>) -> bool {
        match self.choice(tools, client) {
            Choice::Fixed(dynamic) => dynamic,
            Choice::SelfSearching => false,
            Choice::Budget { tokens, budget } => tokens > budget,
        }
    }

    /// [`serves_dynamic`](Self::serves_dynamic), and why, in words for the log.
    pub fn decide(&self, tools: &ToolSet, client: Option<&str>) -> (bool, String) {
        let dynamic = self.serves_dynamic(tools, client);
        let count = tools.len();
        let why = match self.choice(tools, client) {
            Choice::Fixed(true) => "--tools dynamic".to_owned(),
            Choice::Fixed(false) => "--tools all".to_owned(),
            Choice::SelfSearching => format!(
                "auto: the client `{}` searches large tool lists itself, so all {count} tools (about {} tokens) are served",
                client.unwrap_or_default(),
                tools.estimated_tokens()
            ),
            Choice::Budget { tokens, budget } if tokens <= budget => {
                format!("auto: {count} tools, about {tokens} tokens, fit the budget of {budget}")
            }
            Choice::Budget { tokens, budget } => format!(
                "auto: {count} tools, about {tokens} tokens, exceed the budget of {budget} (--tool-budget), so search_tools, describe_tools and call_tool are served instead"
            ),
        };
        (dynamic, why)
    }

    fn choice(&self, tools: &ToolSet, client: Option<&str>) -> Choice {
        match *self {
            ToolMode::All => Choice::Fixed(false),
            ToolMode::Dynamic => Choice::Fixed(true),
            ToolMode::Auto { budget_tokens } => {
                let self_searching = client.is_some_and(|name| {
                    SELF_SEARCHING_CLIENTS
                        .iter()
                        .any(|known| name.eq_ignore_ascii_case(known))
                });
                if self_searching {
                    Choice::SelfSearching
                } else {
                    Choice::Budget {
                        tokens: tools.estimated_tokens(),
                        budget: budget_tokens,
                    }
                }
            }
        }
    }
}

impl ToolSet {
    /// The dynamic form of this set: `search_tools`, `describe_tools` and `call_tool`
    /// over these tools, with the caller's grant applied to each.
    pub fn to_dynamic(&self) -> ToolSet {
        meta_tools::dynamic(Arc::new(self.clone()))
    }

    /// What the ranker knows of each tool, in order.
    pub fn search_documents(&self) -> Vec<SearchDocument> {
        (0..self.len())
            .map(|index| {
                let tool = &self.tools()[index];
                let route = self.route(index);
                SearchDocument {
                    name: tool.name.to_string(),
                    summary: summary_of(tool),
                    description: tool.description.as_deref().unwrap_or_default().to_owned(),
                    method: route.map(|r| r.method.clone()),
                    path: route.map(|r| r.path.clone()),
                    tags: route.map(|r| r.tags.clone()).unwrap_or_default(),
                    parameters: parameter_words(tool),
                }
            })
            .collect()
    }
}

/// A tool's argument names and the values they may take (`state`: `open`, `closed`), so
/// "the open issues" meets the operation whose `state` can be `open`.
fn parameter_words(tool: &Tool) -> Vec<String> {
    let Some(properties) = tool
        .input_schema
        .get("properties")
        .and_then(|p| p.as_object())
    else {
        return Vec::new();
    };
    let mut words = Vec::new();
    for (name, schema) in properties {
        words.push(name.clone());
        let values = schema.get("enum").and_then(|e| e.as_array());
        for value in values.into_iter().flatten().take(12) {
            if let Some(value) = value.as_str() {
                words.push(value.to_owned());
            }
        }
    }
    words
}

/// A tool's one-line summary: its title, else its description's first line or sentence.
pub(crate) fn summary_of(tool: &Tool) -> String {
    if let Some(title) = &tool.title {
        return title.clone();
    }
    let description = tool.description.as_deref().unwrap_or_default().trim();
    let line = description.lines().next().unwrap_or_default();
    let sentence = match line.find(". ") {
        Some(end) => &line[..=end],
        None => line,
    };
    let short: String = sentence.chars().take(160).collect();
    short.trim().to_owned()
}
