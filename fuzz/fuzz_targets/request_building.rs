#![no_main]
//! See `rest_mcp::fuzzing::request_building` for what this target feeds and checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| rest_mcp::fuzzing::request_building(data));
