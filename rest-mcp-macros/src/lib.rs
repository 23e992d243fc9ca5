//! Procedural macros for rest-mcp (arriving with the compile-time front ends issue).
