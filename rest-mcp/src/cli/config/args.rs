//! The command line. Every option also reads an environment variable (MCP clients pass
//! env, not arguments, to stdio servers); the command line wins over the environment.
//! `list` and `serve` share [`SpecOptions`]; only `serve` takes [`ServeOptions`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  # Serve every operation of a spec over stdio (what MCP clients launch)
  rest-mcp --spec ./openapi.yaml --base-url https://api.example.com

  # Same, configured the way MCP client configs do it: with environment variables
  OPENAPI_SPEC=./openapi.json BASE_URL=https://api.example.com \\
    HEADERS='Authorization: Bearer ${API_TOKEN}' rest-mcp

  # See what would be served: a table, or the exact tools/list JSON
  rest-mcp list --spec https://api.example.com/openapi.json
  rest-mcp --spec ./openapi.yaml --dry-run

  # Only read-only tools for two tags, with a name prefix
  rest-mcp --spec ./github.json --include-tags repos,issues --read-only --tool-prefix gh

  # No spec: endpoints listed in a TOML file ([[endpoints]])
  rest-mcp --config ./my-api.toml

  # One shared server for a team (API keys and roles go in the config file's [http])
  rest-mcp --spec ./openapi.yaml --transport http --listen 127.0.0.1:8080

  # Many APIs in one server: [[apis]] entries in the config file, each with its own spec,
  # base URL and credentials; tools are prefixed, and each API is also at /mcp/{name}
  rest-mcp --config ./company.toml --transport http

Configuration precedence: command line > environment > config file > defaults.
Values in the config file, --base-url and headers may use ${VAR} (an unset VAR is an error).
Send SIGHUP to reload the spec and config without restarting.";

/// Turn any REST API into MCP tools.
///
/// Each subcommand takes only its own flags: `rest-mcp list --help` shows what `list`
/// reads. With no subcommand, rest-mcp serves, and takes the flags of `serve`.
#[derive(Debug, Parser)]
#[command(
    name = "rest-mcp",
    version,
    about,
    long_about = None,
    after_long_help = EXAMPLES,
    after_help = "Run `rest-mcp --help` for examples.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do (default: serve the tools over MCP).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The flags of serving, when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// What was asked for: `serve` (also with no subcommand) or `list`.
    pub fn into_command(self) -> Command {
        match self.command {
            Some(command) => command,
            None => Command::Serve(self.serve),
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "one value, parsed once at start-up"
)]
pub enum Command {
    /// Serve the tools over MCP (the default).
    Serve(ServeArgs),
    /// Print a table of the tools (name, method, path, arguments, estimated tokens) and how
    /// to supply the API's credentials, then exit.
    List(ListArgs),
}

/// `rest-mcp serve` (and `rest-mcp` alone): which API, and how to serve it.
#[derive(Clone, Debug, Args, Default)]
pub struct ServeArgs {
    /// Which API and which of its tools.
    #[command(flatten)]
    pub spec: SpecOptions,
    /// How the tools are served and how their calls are made.
    #[command(flatten)]
    pub serve: ServeOptions,
}

/// `rest-mcp list`: which API and which of its tools, and how to print them.
#[derive(Clone, Debug, Args, Default)]
pub struct ListArgs {
    /// Which API and which of its tools.
    #[command(flatten)]
    pub spec: SpecOptions,
    /// Print the tools as a JSON array instead of a table.
    ///
    /// One object per tool, in the order they are served: `name`, `method`, `path`,
    /// `summary` and `description` (the spec's, or null), `tags`, `read_only`,
    /// `destructive`, `idempotent`, `arguments` (each `name` and `required`) and
    /// `estimated_tokens`.
    #[arg(long)]
    pub json: bool,
}

/// What `list` and `serve` share: where the API description comes from, how it is
/// loaded, which operations become tools and what they are named, and logging.
#[derive(Clone, Debug, Args, Default)]
pub struct SpecOptions {
    /// OpenAPI 3.0/3.1 or Swagger 2.0 spec: a file or an http(s) URL, JSON or YAML.
    #[arg(
        help_heading = "Spec",
        long,
        short = 's',
        env = "OPENAPI_SPEC",
        value_name = "PATH|URL"
    )]
    pub spec: Option<String>,

    /// TOML config file [default: rest-mcp.toml, when it exists].
    #[arg(
        help_heading = "Spec",
        long,
        short = 'c',
        env = "CONFIG_FILE",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    /// Base URL of the API (default: the spec's first server).
    #[arg(
        help_heading = "Spec",
        long,
        short = 'b',
        env = "BASE_URL",
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    /// Largest spec document read, from a file, a URL or a remote `$ref`, in bytes
    /// [default: 67108864 (64 MiB)].
    #[arg(
        help_heading = "Spec",
        long,
        env = "MAX_SPEC_SIZE",
        value_name = "BYTES"
    )]
    pub max_spec_size: Option<usize>,

    /// Follow `$ref`s to http(s) URLs while loading the spec.
    #[arg(help_heading = "Spec", long, env = "ALLOW_REMOTE_REFS", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub allow_remote_refs: Option<bool>,

    /// Only operations with one of these tags (comma-separated).
    #[arg(
        help_heading = "Tools",
        long,
        env = "INCLUDE_TAGS",
        value_delimiter = ',',
        value_name = "TAGS"
    )]
    pub include_tags: Vec<String>,

    /// Leave out operations with any of these tags.
    #[arg(
        help_heading = "Tools",
        long,
        env = "EXCLUDE_TAGS",
        value_delimiter = ',',
        value_name = "TAGS"
    )]
    pub exclude_tags: Vec<String>,

    /// Only operations under these path prefixes (whole segments: `/users` matches
    /// `/users/{id}`, not `/usersettings`).
    #[arg(
        help_heading = "Tools",
        long,
        env = "INCLUDE_PATHS",
        value_delimiter = ',',
        value_name = "PREFIXES"
    )]
    pub include_paths: Vec<String>,

    /// Leave out operations under these path prefixes.
    #[arg(
        help_heading = "Tools",
        long,
        env = "EXCLUDE_PATHS",
        value_delimiter = ',',
        value_name = "PREFIXES"
    )]
    pub exclude_paths: Vec<String>,

    /// Only these operations (operationId or tool name).
    #[arg(
        help_heading = "Tools",
        long,
        env = "INCLUDE_OPERATIONS",
        value_delimiter = ',',
        value_name = "NAMES"
    )]
    pub include_operations: Vec<String>,

    /// Leave out these operations (operationId or tool name).
    #[arg(
        help_heading = "Tools",
        long,
        env = "EXCLUDE_OPERATIONS",
        value_delimiter = ',',
        value_name = "NAMES"
    )]
    pub exclude_operations: Vec<String>,

    /// Only read-only tools (GET, HEAD and operations marked read-only).
    #[arg(help_heading = "Tools", long, env = "READ_ONLY", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub read_only: Option<bool>,

    /// Prefix for every tool name (joined with `_`).
    #[arg(
        help_heading = "Tools",
        long,
        env = "TOOL_PREFIX",
        value_name = "PREFIX"
    )]
    pub tool_prefix: Option<String>,

    /// Longest tool name (16-64); lower it when your client prepends its own prefix.
    #[arg(
        help_heading = "Tools",
        long,
        env = "MAX_TOOL_NAME_LENGTH",
        value_name = "N"
    )]
    pub max_tool_name_length: Option<usize>,

    /// Give every tool an optional `select` argument: a JSONPath (RFC 9535) such as
    /// `$.items[*].name`, so the model asks for only the part of a big JSON answer it
    /// needs. A tool with its own `select` parameter keeps it.
    #[arg(help_heading = "Tools", long, env = "SELECT_ARG", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub select_arg: Option<bool>,

    /// Let the spec's `Authorization` and `Cookie` header parameters become tool arguments
    /// (off by default: the model would choose credentials; configure them with --header
    /// or [auth] instead). Hop-by-hop and framing headers (Host, Content-Length, ...)
    /// never become arguments.
    #[arg(help_heading = "Tools", long, env = "ALLOW_CREDENTIAL_HEADERS", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub allow_credential_headers: Option<bool>,

    /// Cut each tool description to about N characters, for a smaller tools/list: the
    /// text is made plain (markdown links keep their text, HTML tags and repeated
    /// whitespace go) and cut after the last whole sentence that fits, or else at a word
    /// with `…`. Around 200 keeps what tells tools apart; `rest-mcp list` shows what each
    /// setting costs [default: descriptions as the spec wrote them].
    #[arg(
        help_heading = "Tools",
        long,
        env = "DESCRIPTION_MAX",
        value_name = "N"
    )]
    pub description_max: Option<usize>,

    /// Whether tools declare output schemas: `full` (each JSON-returning tool declares
    /// the shape of its result, and clients validate the structured content against it)
    /// or `none` (fewer tokens; results still carry the same structured content, which
    /// clients then take as it is). Pick `none` when the context is tight and the client
    /// makes no use of output schemas [default: full].
    #[arg(help_heading = "Tools", long, env = "OUTPUT_SCHEMAS", value_enum)]
    pub output_schemas: Option<OutputSchemasArg>,
    /// Log level on stderr: error, warn, info, debug, trace [default: warn].
    #[arg(
        help_heading = "Logging",
        long,
        env = "LOG_LEVEL",
        value_name = "LEVEL"
    )]
    pub log_level: Option<String>,

    /// Log format on stderr.
    #[arg(help_heading = "Logging", long, env = "LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
}

/// What only serving reads: the tool mode, upstream requests, and the transport with its
/// HTTP limits.
#[derive(Clone, Debug, Args, Default)]
pub struct ServeOptions {
    /// Which tools the model sees: `all` (every operation as a tool), `dynamic` (three
    /// meta-tools, search_tools → describe_tools → call_tool, for big APIs), or `auto`
    /// (all when their definitions fit --tool-budget or the client searches tools itself,
    /// dynamic otherwise) [default: auto].
    #[arg(help_heading = "Serving", long, env = "TOOLS", value_name = "MODE")]
    pub tools: Option<ToolsArg>,

    /// The most estimated tokens of tool definitions `--tools auto` serves as they are
    /// [default: 20000, a tenth of a 200k-token context].
    #[arg(
        help_heading = "Serving",
        long,
        env = "TOOL_BUDGET",
        value_name = "TOKENS"
    )]
    pub tool_budget: Option<usize>,

    /// Rewrite the served input and output schemas so one model provider accepts them
    /// (arguments are still validated against the spec's own schemas): `full` (as loaded,
    /// JSON Schema 2020-12), `portable` (what every provider below and the MCP Inspector's
    /// strict check accept, except OpenAI's strict mode), `anthropic` (an object root
    /// without top-level oneOf/anyOf/allOf), `openai` (strict mode: every property
    /// required, optional ones nullable, closed objects, a small keyword subset), `gemini`
    /// (the OpenAPI 3.0 subset of function declarations: one type, `nullable`, no
    /// additionalProperties), or `auto` (by the client's name: Claude → anthropic,
    /// OpenAI/ChatGPT/Codex → openai, Gemini → gemini, anything else → full). Pick one when
    /// your client's provider rejects the tools [default: full].
    #[arg(help_heading = "Serving", long, env = "SCHEMA_DIALECT", value_enum)]
    pub schema_dialect: Option<SchemaDialectArg>,

    /// Print the exact tools/list JSON that would be served, then exit.
    #[arg(help_heading = "Serving", long, env = "DRY_RUN", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub dry_run: Option<bool>,

    /// How MCP clients connect: `stdio` (launched by the client) or `http` (a shared
    /// Streamable HTTP server at /mcp).
    #[arg(help_heading = "Serving", long, env = "MCP_TRANSPORT", value_enum)]
    pub transport: Option<Transport>,

    /// Header sent with every upstream request, `Name: value` (repeatable). The HEADERS
    /// environment variable takes one per line, or a JSON object.
    #[arg(
        help_heading = "Upstream requests",
        long = "header",
        short = 'H',
        value_name = "NAME: VALUE"
    )]
    pub headers: Vec<String>,

    /// Upstream request timeout, e.g. `30s`, `500ms` [default: 30s].
    #[arg(
        help_heading = "Upstream requests",
        long,
        env = "REQUEST_TIMEOUT",
        value_name = "DURATION"
    )]
    pub timeout: Option<String>,

    /// Largest response body returned to the model, in bytes [default: 102400].
    #[arg(
        help_heading = "Upstream requests",
        long,
        env = "MAX_RESPONSE_SIZE",
        value_name = "BYTES"
    )]
    pub max_response_size: Option<usize>,

    /// Fill arguments the caller left out with their schema defaults. Off by default:
    /// only what the caller gave is sent, and the upstream applies its own defaults.
    #[arg(help_heading = "Upstream requests", long, env = "SEND_DEFAULTS", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub send_defaults: Option<bool>,

    /// Response headers shown to the model, comma-separated names or `prefix*` patterns
    /// (`none` for none) [default: link, location, retry-after, x-ratelimit-*,
    /// ratelimit*, etag, last-modified, content-range, www-authenticate, set-cookie
    /// (names only), x-total-count].
    #[arg(
        help_heading = "Upstream requests",
        long,
        env = "RESPONSE_HEADERS",
        value_delimiter = ',',
        value_name = "NAMES"
    )]
    pub response_headers: Vec<String>,

    /// Keep the cookies the upstream sets (a login's session cookie) and send them back
    /// on later calls, one jar per session and caller [default: on when the spec
    /// authenticates with a cookie].
    #[arg(help_heading = "Upstream requests", long, env = "COOKIES", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub cookies: Option<bool>,

    /// Address for --transport http [default: 127.0.0.1:8080].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "LISTEN",
        value_name = "ADDR"
    )]
    pub listen: Option<String>,

    /// Serve HTTP without sessions (each request stands alone; no list_changed pushes).
    #[arg(help_heading = "HTTP transport", long, env = "STATELESS", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true")]
    pub stateless: Option<bool>,

    /// Host header values accepted over HTTP (comma-separated) [default: loopback names].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "ALLOWED_HOSTS",
        value_delimiter = ',',
        value_name = "HOSTS"
    )]
    pub allowed_hosts: Vec<String>,

    /// Browser origins accepted over HTTP (comma-separated, with scheme).
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "ALLOWED_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGINS"
    )]
    pub allowed_origins: Vec<String>,

    /// The URL clients use to reach this server (for OAuth metadata) [default: http://LISTEN].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "PUBLIC_URL",
        value_name = "URL"
    )]
    pub public_url: Option<String>,

    /// An HTTP session unused this long expires; later requests naming it get 404, e.g.
    /// `30m`, `90s` [default: 30m].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "SESSION_IDLE_TIMEOUT",
        value_name = "DURATION"
    )]
    pub session_idle_timeout: Option<String>,

    /// Most open HTTP sessions one caller (API key, token subject, or peer address when no
    /// credentials are configured) may hold; a new one over it is refused with 429
    /// [default: 100].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "MAX_SESSIONS_PER_CALLER",
        value_name = "N"
    )]
    pub max_sessions_per_caller: Option<usize>,

    /// Most open HTTP sessions in all; a new one over it is refused with 503, and no
    /// existing session is ever evicted [default: 10000].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "MAX_SESSIONS",
        value_name = "N"
    )]
    pub max_sessions: Option<usize>,

    /// A request's head must arrive this soon after its connection opens (or after its
    /// first byte, on a kept-alive connection); a slower connection is closed, e.g. `10s`
    /// [default: 10s].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "HEADER_READ_TIMEOUT",
        value_name = "DURATION"
    )]
    pub header_read_timeout: Option<String>,

    /// A kept-alive HTTP connection with no request in flight is closed after this long;
    /// a call in flight or an open event stream is never cut, e.g. `60s` [default: 60s].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "IDLE_CONNECTION_TIMEOUT",
        value_name = "DURATION"
    )]
    pub idle_connection_timeout: Option<String>,

    /// Most HTTP connections open at once; one more is answered 503 and closed
    /// [default: 1024].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "MAX_CONNECTIONS",
        value_name = "N"
    )]
    pub max_connections: Option<usize>,

    /// Most HTTP connections open at once from one peer IP address; one more is answered
    /// 503 and closed (behind a reverse proxy every client shares its address)
    /// [default: 64].
    #[arg(
        help_heading = "HTTP transport",
        long,
        env = "MAX_CONNECTIONS_PER_PEER",
        value_name = "N"
    )]
    pub max_connections_per_peer: Option<usize>,
}

/// How MCP clients connect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// stdin/stdout, launched by the client.
    #[default]
    Stdio,
    /// Streamable HTTP at /mcp.
    Http,
}

/// `--tools`: which tools the model sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolsArg {
    /// Every operation as a tool.
    All,
    /// search_tools, describe_tools and call_tool.
    Dynamic,
    /// All when they fit the budget or the client searches itself, dynamic otherwise.
    #[default]
    Auto,
}

/// `--output-schemas`: whether tools declare output schemas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputSchemasArg {
    /// Each JSON-returning tool declares the shape of its result.
    #[default]
    Full,
    /// No output schemas; results keep their structured content.
    None,
}

/// `--schema-dialect`: whose rules the served schemas follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaDialectArg {
    /// As loaded (JSON Schema 2020-12).
    #[default]
    Full,
    /// Accepted by every provider and the MCP Inspector's strict check.
    Portable,
    /// Anthropic: an object root without top-level unions.
    Anthropic,
    /// OpenAI strict mode.
    #[value(name = "openai")]
    #[serde(rename = "openai")]
    OpenAi,
    /// Gemini function declarations.
    Gemini,
    /// By the client's name, `full` when not recognised.
    Auto,
}

/// How log lines look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per event.
    Json,
}
