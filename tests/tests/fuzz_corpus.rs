//! The fuzz targets over their committed corpus, once, on the stable toolchain: every
//! input the coverage-guided runs kept (and every crash they found, under
//! `fuzz/regressions/`) still holds the targets' invariants. The same functions run under
//! libFuzzer with `fuzz/run.sh`.

use std::path::{Path, PathBuf};

use rest_mcp::fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn inputs(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_holds_its_invariants_over_its_corpus_and_regressions() {
    for (name, target) in TARGETS {
        let corpus = inputs(&fuzz_dir().join("corpus").join(name));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{name} is empty: run fuzz/seed_corpus.py"
        );
        let regressions = inputs(&fuzz_dir().join("regressions").join(name));
        for path in corpus.iter().chain(&regressions) {
            let data = std::fs::read(path).expect("a corpus file reads");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(
                outcome.is_ok(),
                "fuzz target {name} broke an invariant on {}",
                path.display()
            );
        }
    }
}

#[test]
fn every_fuzz_target_has_a_binary_and_a_corpus() {
    for (name, _) in TARGETS {
        let binary = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(binary.is_file(), "no {}", binary.display());
        let source = std::fs::read_to_string(&binary).expect("reads");
        assert!(
            source.contains(&format!("rest_mcp::fuzzing::{name}(")),
            "{} does not call its harness function",
            binary.display()
        );
    }
}
