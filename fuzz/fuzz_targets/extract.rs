#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hub_fuzz_targets::extract(data));
