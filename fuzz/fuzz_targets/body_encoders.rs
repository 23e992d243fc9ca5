#![no_main]
//! See `rest_mcp::fuzzing::body_encoders` for what this target feeds and checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| rest_mcp::fuzzing::body_encoders(data));
