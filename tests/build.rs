//! Unpack the gzipped spec fixtures into OUT_DIR, so `include_openapi!` tests can read them
//! (`relative_to = "out_dir"`).

use std::io::Read;
use std::path::Path;

fn main() {
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        return;
    };
    for name in ["github.json", "petstore-3.1.json"] {
        let source = Path::new("fixtures").join(format!("{name}.gz"));
        println!("cargo::rerun-if-changed={}", source.display());
        let Ok(file) = std::fs::File::open(&source) else {
            println!("cargo::warning=missing fixture {}", source.display());
            continue;
        };
        let mut text = Vec::new();
        if let Err(error) = flate2::read::GzDecoder::new(file).read_to_end(&mut text) {
            println!("cargo::warning=cannot unpack {}: {error}", source.display());
            continue;
        }
        if let Err(error) = std::fs::write(Path::new(&out_dir).join(name), text) {
            println!("cargo::warning=cannot write {name}: {error}");
        }
    }
}
