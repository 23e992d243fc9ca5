#![no_main]
//! See `rest_mcp::fuzzing::stdio_session` for what this target feeds and checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| rest_mcp::fuzzing::stdio_session(data));
