// Generated from the Rust types of the crate hub-api (shared/api); do not edit.
// Regenerate: UPDATE_API_TYPES=1 cargo test -p hub-tests --test api_types

/**
 * An amount of money: an exact decimal string (never a float) and its currency.
 */
export type Money = { 
/**
 * The amount, e.g. `"0.004215"`.
 */
amount: string, 
/**
 * ISO 4217 code; the hub prices everything in `USD`.
 */
currency: string, };

/**
 * A page of a list (`?limit=`, `?cursor=`): the items and the cursor of the next page.
 */
export type Page<T> = { 
/**
 * The items, newest first unless the route says otherwise.
 */
items: Array<T>, 
/**
 * The opaque cursor of the next page; `null` on the last page.
 */
next_cursor: string | null, };

/**
 * The code of an error answer. Clients branch on it; the message is for people.
 */
export type ErrorCode = "bad_request" | "invalid_json" | "invalid_input" | "invalid_path" | "unknown_model" | "unknown_assistant" | "unknown_collection" | "invalid_template" | "template_values_mismatch" | "unauthenticated" | "invalid_credentials" | "invalid_refresh_token" | "forbidden" | "registration_closed" | "invalid_current_password" | "password_change_required" | "self_protected" | "not_found" | "method_not_allowed" | "conflict" | "email_taken" | "last_admin" | "default_model_required" | "model_exists" | "payload_too_large" | "unsupported_media_type" | "rate_limited" | "internal_error" | "service_unavailable" | "provider_not_configured" | "master_key_unavailable";

/**
 * The code of an answer stream's `error` event: why the answer failed.
 */
export type StreamErrorCode = "provider_not_configured" | "provider_rejected" | "provider_auth" | "provider_model_not_found" | "provider_rate_limited" | "provider_unavailable" | "provider_invalid_response" | "provider_incomplete" | "internal";

/**
 * The events of an answer stream (`event: <name>`), in the order they come.
 */
export type ChatEventName = "message_start" | "sources" | "delta" | "usage" | "title" | "done" | "error";

/**
 * An account as the API shows it (`GET /api/auth/me`, and inside [`AuthTokens`]).
 */
export type UserView = { 
/**
 * Its id.
 */
id: string, 
/**
 * The email address (normalised to lower case).
 */
email: string, 
/**
 * The name shown to people.
 */
display_name: string, 
/**
 * Whether the user is an administrator.
 */
is_admin: boolean, 
/**
 * Whether the account may log in.
 */
is_active: boolean, 
/**
 * When it was created (RFC 3339, UTC).
 */
created_at: string, 
/**
 * The last successful login (RFC 3339, UTC); `null` before the first.
 */
last_login_at: string | null, 
/**
 * The password was set by an administrator (or the first run) and must be changed: until
 * it is, every route but the own account, its sessions and logout answers 403
 * `password_change_required`.
 */
must_change_password: boolean, };

/**
 * The answer of login, refresh and self-registration: a new access token and refresh token.
 */
export type AuthTokens = { 
/**
 * The access token (a JWT): `Authorization: Bearer <access_token>`.
 */
access_token: string, 
/**
 * Always `Bearer`.
 */
token_type: string, 
/**
 * Seconds until the access token expires.
 */
expires_in: number, 
/**
 * The refresh token: spent by `POST /api/auth/refresh`, which answers a new one.
 */
refresh_token: string, 
/**
 * Seconds until the refresh token expires.
 */
refresh_expires_in: number, 
/**
 * The account.
 */
user: UserView, };

/**
 * The answer when an administrator creates an account (`POST /api/auth/register` with a
 * bearer token): the account only, nobody is logged in.
 */
export type CreatedUser = { 
/**
 * The new account.
 */
user: UserView, };

/**
 * `POST /api/auth/register`.
 */
export type RegisterUser = { 
/**
 * The email address.
 */
email: string, 
/**
 * The password (8 to 128 characters).
 */
password: string, 
/**
 * The name shown to people; left out, the email's local part.
 */
display_name?: string, 
/**
 * Make the account an administrator (only an administrator may set it).
 */
is_admin?: boolean, };

/**
 * `POST /api/auth/login`.
 */
export type Login = { 
/**
 * The email address.
 */
email: string, 
/**
 * The password.
 */
password: string, };

/**
 * `POST /api/auth/refresh` and `POST /api/auth/logout`: a refresh token.
 */
export type RefreshTokenBody = { 
/**
 * The refresh token from the last login or refresh.
 */
refresh_token: string, };

/**
 * `PATCH /api/auth/me`: changes the fields it names.
 */
export type UpdateMe = { 
/**
 * The new display name.
 */
display_name?: string, 
/**
 * A new password (needs `current_password`; ends every other session).
 */
password?: string, 
/**
 * The current password, to change the password.
 */
current_password?: string, };

/**
 * One of the caller's live sessions (`GET /api/auth/sessions`).
 */
export type SessionView = { 
/**
 * Its id.
 */
id: string, 
/**
 * When it started (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its last refresh (RFC 3339, UTC).
 */
last_refreshed_at: string | null, 
/**
 * The client address it started from.
 */
client_addr: string | null, 
/**
 * The user agent it started with.
 */
user_agent: string | null, 
/**
 * Whether it is the session of the request.
 */
current: boolean, };

/**
 * A conversation as lists show it (`GET /api/chats`, `POST /api/chats`, `PATCH`).
 */
export type ChatSummary = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its title; `null` until the user or auto-titling sets one.
 */
title: string | null, 
/**
 * The model chosen for it; `null` means the default model.
 */
model: string | null, 
/**
 * The temperature chosen for it; `null` means the model's default.
 */
temperature: number | null, 
/**
 * When it was created (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its last activity (RFC 3339, UTC): lists are ordered by it.
 */
updated_at: string, 
/**
 * The assistant it was started with (its name and icon now); `null` without one, also
 * once that assistant is deleted.
 */
assistant: ChatAssistant | null, 
/**
 * The knowledge collections attached to it (at most 10): every answer retrieves from
 * them, as from its assistant's and from the files attached to its messages.
 */
collection_ids: Array<string>, };

/**
 * A conversation with its messages, oldest first (`GET /api/chats/{id}`).
 */
export type ChatDetail = { 
/**
 * Its messages, oldest first.
 */
messages: Array<MessageView>, 
/**
 * Its id.
 */
id: string, 
/**
 * Its title; `null` until the user or auto-titling sets one.
 */
title: string | null, 
/**
 * The model chosen for it; `null` means the default model.
 */
model: string | null, 
/**
 * The temperature chosen for it; `null` means the model's default.
 */
temperature: number | null, 
/**
 * When it was created (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its last activity (RFC 3339, UTC): lists are ordered by it.
 */
updated_at: string, 
/**
 * The assistant it was started with (its name and icon now); `null` without one, also
 * once that assistant is deleted.
 */
assistant: ChatAssistant | null, 
/**
 * The knowledge collections attached to it (at most 10): every answer retrieves from
 * them, as from its assistant's and from the files attached to its messages.
 */
collection_ids: Array<string>, };

/**
 * Who wrote a message.
 */
export type MessageRole = "system" | "user" | "assistant";

/**
 * How an answer ended.
 */
export type MessageStatus = "complete" | "partial" | "error";

/**
 * One message of a conversation.
 */
export type MessageView = { 
/**
 * Its id (UUID v7: time-ordered).
 */
id: string, 
/**
 * The conversation.
 */
chat_id: string, 
/**
 * Who wrote it.
 */
role: MessageRole, 
/**
 * Its text (Markdown for answers).
 */
content: string, 
/**
 * The model that wrote an answer; `null` for the user's messages.
 */
model: string | null, 
/**
 * How it ended.
 */
status: MessageStatus, 
/**
 * Why an answer failed or was cut off.
 */
error: string | null, 
/**
 * When it was written (RFC 3339, UTC).
 */
created_at: string, 
/**
 * The passages an answer was given, numbered as it cites them (`[1]`, `[2]`); empty for
 * other messages and answers without knowledge.
 */
sources: Array<MessageSource>, 
/**
 * The knowledge files attached to a user's message; empty otherwise.
 */
files: Array<MessageFile>, };

/**
 * A passage an answer was given: a chunk of a knowledge file.
 */
export type MessageSource = { 
/**
 * Its number, from 1, as the answer cites it (`[1]`).
 */
index: number, 
/**
 * The file.
 */
file_id: string, 
/**
 * The file's name.
 */
file_name: string, 
/**
 * The file's collection; `null` for a file attached on its own.
 */
collection_id: string | null, 
/**
 * The page of a PDF.
 */
page: number | null, 
/**
 * The headings above the passage, outermost first.
 */
heading_path: Array<string>, 
/**
 * The passage's position in its file (from 0).
 */
ordinal: number, 
/**
 * The start of the passage (at most 300 characters).
 */
snippet: string, 
/**
 * How well it matched the question (higher is better; comparable within one answer).
 */
score: number, };

/**
 * A knowledge file attached to a message.
 */
export type MessageFile = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its name.
 */
name: string, };

/**
 * `POST /api/chats`: a new conversation; every field may be left out.
 */
export type CreateChat = { 
/**
 * A title (1-200 characters); left out, the first exchange titles the chat.
 */
title?: string, 
/**
 * An enabled model's id; left out, the default model.
 */
model?: string, 
/**
 * 0-2; left out, the model's default.
 */
temperature?: number, 
/**
 * An assistant the caller sees (`GET /api/assistants`): its system prompt goes in front
 * of the conversation, its model and temperature apply unless the chat or a message
 * chooses others. Left out or `null`, none.
 */
assistant_id?: string, };

/**
 * `PATCH /api/chats/{id}`: changes the fields it names. `model` and `temperature` may be
 * `null` to go back to the default.
 */
export type UpdateChat = { 
/**
 * The new title (1-200 characters).
 */
title?: string, 
/**
 * The model for the next messages, or `null` for the default model.
 */
model?: string | null, 
/**
 * The temperature for the next messages, or `null` for the model's default.
 */
temperature?: number | null, 
/**
 * The knowledge collections to retrieve from (replaces the list; at most 10, each one the
 * caller sees).
 */
collection_ids?: Array<string>, };

/**
 * `POST /api/chats/{id}/messages`: the user's message, answered as a stream of events.
 *
 * With `regenerate: true` and no `content`, the last user message is answered again; an
 * answer after it (a failed one, typically) is replaced.
 */
export type SendMessage = { 
/**
 * The message (1-100000 characters); required unless `regenerate`.
 */
content?: string, 
/**
 * The model for this answer (and the chat's from now on); left out, the chat's model.
 */
model?: string, 
/**
 * The temperature for this answer (and the chat's from now on); left out, the chat's.
 */
temperature?: number, 
/**
 * Answer the last user message again instead of adding one.
 */
regenerate?: boolean, 
/**
 * Knowledge files to attach to the message (at most 10, each a `ready` file the caller
 * reads); the chat's answers retrieve from them from now on. Not with `regenerate`.
 */
file_ids?: Array<string>, };

/**
 * `message_start`: the user's message is stored and the answer begins.
 */
export type MessageStartEvent = { 
/**
 * The conversation.
 */
chat_id: string, 
/**
 * The user's message as stored (for `regenerate`, the one answered again).
 */
user_message: MessageView, 
/**
 * The id the answer is stored under.
 */
assistant_message_id: string, 
/**
 * The model that answers.
 */
model: string, 
/**
 * Its provider (`openai`, `anthropic`, ...).
 */
provider: string, };

/**
 * `sources`: the passages the answer is given (right after `message_start`, only when
 * something was retrieved), as the stored answer keeps them.
 */
export type SourcesEvent = { 
/**
 * The passages, numbered as the answer cites them.
 */
sources: Array<MessageSource>, };

/**
 * `delta`: the next piece of the answer's text.
 */
export type DeltaEvent = { 
/**
 * Text to append.
 */
text: string, };

/**
 * `usage`: the tokens the provider reported for this answer and what they cost.
 */
export type UsageEvent = { 
/**
 * Prompt tokens (cached ones included).
 */
input_tokens: number, 
/**
 * Generated tokens.
 */
output_tokens: number, 
/**
 * Prompt tokens served from the provider's cache.
 */
cached_tokens: number, 
/**
 * The cost at the model's prices.
 */
cost: Money, };

/**
 * `title`: the conversation got its automatic title.
 */
export type TitleEvent = { 
/**
 * The title.
 */
title: string, };

/**
 * `done`: the answer is complete and stored.
 */
export type DoneEvent = { 
/**
 * The stored answer.
 */
message: MessageView, 
/**
 * Why the model stopped (`stop`, `length`, `content_filter`, ...).
 */
finish_reason: string, };

/**
 * `error`: the answer failed; what was generated is stored as `partial`, or the answer as
 * `error`.
 */
export type ErrorEvent = { 
/**
 * Why the answer failed.
 */
code: StreamErrorCode, 
/**
 * What happened, for people.
 */
message: string, 
/**
 * Seconds to wait before retrying, when the provider said.
 */
retry_after: number | null, 
/**
 * The stored answer (status `error` or `partial`), when it could be stored.
 */
assistant_message: MessageView | null, };

/**
 * The icons an assistant may have: the web app draws each of them. Left out when creating,
 * `sparkles`.
 */
export type AssistantIcon = "sparkles" | "bot" | "brain" | "code" | "terminal" | "pen" | "book" | "chart" | "globe" | "briefcase" | "scale" | "shield" | "lightbulb" | "chat" | "mail" | "calculator" | "search" | "graduation_cap" | "heart" | "wrench" | "megaphone" | "palette" | "flask" | "users";

/**
 * Who an assistant or a template is for: its creator only, or everyone (managed by
 * administrators). Fixed when it is created.
 */
export type Scope = "personal" | "global";

/**
 * An assistant as the caller sees it.
 */
export type AssistantView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Personal or global.
 */
scope: Scope, 
/**
 * Its name (1-100 characters).
 */
name: string, 
/**
 * What it is for (at most 500 characters; may be empty).
 */
description: string, 
/**
 * Its icon.
 */
icon: AssistantIcon, 
/**
 * The instruction put in front of every conversation with it (1-20000 characters).
 */
system_prompt: string, 
/**
 * The model it answers with unless the user picks another; `null`: the chat's or default.
 */
model: string | null, 
/**
 * The temperature it answers with unless the user picks another; `null`: the model's.
 */
temperature: number | null, 
/**
 * Up to four example prompts shown on an empty chat.
 */
starters: Array<string>, 
/**
 * The knowledge collections its chats retrieve from (global ones only for a global
 * assistant).
 */
collection_ids: Array<string>, 
/**
 * Whether the caller may change and delete it (their own; global ones for admins).
 */
editable: boolean, 
/**
 * When it was created (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its last change (RFC 3339, UTC).
 */
updated_at: string, };

/**
 * `POST /api/assistants`: a new assistant.
 */
export type CreateAssistant = { 
/**
 * 1-100 characters.
 */
name: string, 
/**
 * At most 500 characters; left out, empty.
 */
description?: string, 
/**
 * Left out, `sparkles`.
 */
icon?: AssistantIcon, 
/**
 * 1-20000 characters.
 */
system_prompt: string, 
/**
 * An enabled model's id; left out or `null`, none (the chat's or the default model).
 */
model?: string, 
/**
 * 0-2; left out or `null`, none.
 */
temperature?: number, 
/**
 * At most four, each 1-300 characters; left out, none.
 */
starters?: Array<string>, 
/**
 * Left out, `personal`; `global` only for administrators.
 */
scope?: Scope, 
/**
 * Knowledge collections its chats retrieve from (at most 10): a global assistant's must be
 * global, a personal one's global or the caller's own. Left out, none.
 */
collection_ids?: Array<string>, };

/**
 * `PATCH /api/assistants/{id}`: changes the fields it names (at least one); `model` and
 * `temperature` may be `null` to remove the override. The scope stays.
 */
export type UpdateAssistant = { 
/**
 * 1-100 characters.
 */
name?: string, 
/**
 * At most 500 characters.
 */
description?: string, 
/**
 * The new icon.
 */
icon?: AssistantIcon, 
/**
 * 1-20000 characters.
 */
system_prompt?: string, 
/**
 * An enabled model's id, or `null` for none.
 */
model?: string | null, 
/**
 * 0-2, or `null` for none.
 */
temperature?: number | null, 
/**
 * At most four, each 1-300 characters (replaces the list).
 */
starters?: Array<string>, 
/**
 * Knowledge collections (replaces the list; at most 10, as when creating).
 */
collection_ids?: Array<string>, };

/**
 * The assistant of a conversation, as lists and headers show it.
 */
export type ChatAssistant = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Its icon.
 */
icon: AssistantIcon, };

/**
 * A variable of a template, in the order of its first appearance in the body.
 */
export type TemplateVariable = { 
/**
 * Its name (`[A-Za-z_][A-Za-z0-9_]*`).
 */
name: string, 
/**
 * What to fill in, if the template says.
 */
description: string | null, };

/**
 * A prompt template as the caller sees it.
 */
export type TemplateView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Personal or global.
 */
scope: Scope, 
/**
 * Its title (1-200 characters).
 */
title: string, 
/**
 * Its body with `{{variable}}` placeholders (1-20000 characters).
 */
body: string, 
/**
 * Its variables, each once, in the order of their first appearance.
 */
variables: Array<TemplateVariable>, 
/**
 * Whether the caller may change and delete it (their own; global ones for admins).
 */
editable: boolean, 
/**
 * When it was created (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its last change (RFC 3339, UTC).
 */
updated_at: string, };

/**
 * `POST /api/templates`: a new template.
 */
export type CreateTemplate = { 
/**
 * 1-200 characters.
 */
title: string, 
/**
 * The body (1-20000 characters, at most 30 variables).
 */
body: string, 
/**
 * Descriptions of variables of the body, by name (each at most 500 characters).
 */
descriptions?: { [key in string]: string }, 
/**
 * Left out, `personal`; `global` only for administrators.
 */
scope?: Scope, };

/**
 * `PATCH /api/templates/{id}`: changes the fields it names (at least one). A new body without
 * new descriptions keeps those of the variables it still has.
 */
export type UpdateTemplate = { 
/**
 * 1-200 characters.
 */
title?: string, 
/**
 * The new body.
 */
body?: string, 
/**
 * The descriptions (replace the stored ones).
 */
descriptions?: { [key in string]: string }, };

/**
 * `POST /api/templates/{id}/render`: the value of every variable.
 */
export type RenderTemplate = { 
/**
 * One value per variable (each at most 100000 characters), by name.
 */
values: { [key in string]: string }, };

/**
 * The answer of `POST /api/templates/{id}/render`.
 */
export type RenderedTemplate = { 
/**
 * The body with every placeholder filled.
 */
text: string, };

/**
 * Where a file stands: `processing` (work still to do), `ready` (its text is searchable),
 * `failed` (`reason_code` and `reason` say why).
 */
export type FileStatus = "processing" | "ready" | "failed";

/**
 * The type of a file, sniffed from its bytes (never taken from the name or the header;
 * the name only tells Markdown from plain text).
 */
export type FileKind = "pdf" | "docx" | "markdown" | "text";

/**
 * Why a file failed: a stable code (the sentence for people is `reason`).
 */
export type FileFailure = "empty" | "too_large" | "unsupported_type" | "text_encoding" | "pdf_encrypted" | "pdf_damaged" | "too_many_pages" | "docx_damaged" | "too_many_entries" | "too_large_unpacked" | "too_much_text" | "no_text";

/**
 * How a search found its results.
 */
export type SearchMode = "keyword" | "hybrid";

/**
 * A knowledge collection as the caller sees it.
 */
export type KnowledgeCollectionView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Personal or global.
 */
scope: Scope, 
/**
 * Its name (1-100 characters).
 */
name: string, 
/**
 * What it holds (at most 500 characters; may be empty).
 */
description: string, 
/**
 * Whether the caller may change and delete it and add files (their own; global ones for
 * admins).
 */
editable: boolean, 
/**
 * When it was created (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its last change (RFC 3339, UTC).
 */
updated_at: string, };

/**
 * `POST /api/knowledge/collections`: a new collection.
 */
export type CreateKnowledgeCollection = { 
/**
 * 1-100 characters.
 */
name: string, 
/**
 * At most 500 characters; left out, empty.
 */
description?: string, 
/**
 * Left out, `personal`; `global` only for administrators.
 */
scope?: Scope, };

/**
 * `PATCH /api/knowledge/collections/{id}`: changes the fields it names (at least one). The
 * scope stays.
 */
export type UpdateKnowledgeCollection = { 
/**
 * 1-100 characters.
 */
name?: string, 
/**
 * At most 500 characters.
 */
description?: string, };

/**
 * An uploaded file as the caller sees it (never its bytes: `GET .../content` downloads them).
 */
export type KnowledgeFileView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its collection; `null` for a file on its own.
 */
collection_id: string | null, 
/**
 * Its name as uploaded (without folders and control characters; 1-255 characters).
 */
name: string, 
/**
 * Its type, sniffed from the bytes; `null` when they are none of the supported types.
 */
kind: FileKind | null, 
/**
 * Its size in bytes.
 */
size_bytes: bigint, 
/**
 * The SHA-256 of its bytes (64 lower-case hex digits).
 */
sha256: string, 
/**
 * Where it stands.
 */
status: FileStatus, 
/**
 * Why it failed (`failed` only).
 */
reason_code: FileFailure | null, 
/**
 * Why it failed, for people (`failed` only).
 */
reason: string | null, 
/**
 * The pages of a PDF (pages without text included).
 */
page_count: number | null, 
/**
 * The characters of its extracted text (`ready` only).
 */
char_count: bigint | null, 
/**
 * The chunks of its text (`ready` only).
 */
chunk_count: number | null, 
/**
 * Whether the caller may delete it (their own; in a global collection, also admins).
 */
deletable: boolean, 
/**
 * Where it stands with embeddings.
 */
embedding: FileEmbedding, 
/**
 * When it was uploaded (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its last change (RFC 3339, UTC).
 */
updated_at: string, };

/**
 * One passage a search found.
 */
export type KnowledgeHit = { 
/**
 * The file it is from.
 */
file_id: string, 
/**
 * The file's name.
 */
file_name: string, 
/**
 * The file's collection, if any.
 */
collection_id: string | null, 
/**
 * The chunk's position in the file, from 0.
 */
ordinal: number, 
/**
 * The page of a PDF.
 */
page: number | null, 
/**
 * The headings above the passage, outermost first.
 */
heading_path: Array<string>, 
/**
 * A short excerpt with the matched words between `**` and `**`.
 */
snippet: string, 
/**
 * The rank: the reciprocal rank fusion of the keyword and (in `hybrid` mode) the vector
 * ranking (higher is better; comparable within one answer only).
 */
score: number, };

/**
 * The answer of `GET /api/knowledge/search`.
 */
export type KnowledgeSearchResults = { 
/**
 * How the results were found.
 */
mode: SearchMode, 
/**
 * The passages, best first.
 */
items: Array<KnowledgeHit>, };

/**
 * Where a file stands with embeddings (its keyword search does not depend on them).
 */
export type EmbeddingState = "none" | "pending" | "ready" | "failed";

/**
 * A file's embedding state.
 */
export type FileEmbedding = { 
/**
 * Where it stands.
 */
status: EmbeddingState, 
/**
 * The last failure, for people (also while `pending`, when a try failed).
 */
error: string | null, };

/**
 * The embedding model in use, as users see it.
 */
export type ActiveEmbeddingModel = { 
/**
 * Its id.
 */
model_id: string, 
/**
 * Its name.
 */
display_name: string, 
/**
 * The length of its vectors.
 */
dimension: number, };

/**
 * The answer of `GET /api/knowledge/status`: how searches and answers find passages now.
 */
export type KnowledgeStatus = { 
/**
 * `hybrid` when an embedding model is active, else `keyword`.
 */
mode: SearchMode, 
/**
 * The active embedding model; `null`: keyword search only.
 */
embedding_model: ActiveEmbeddingModel | null, };

/**
 * An embedding model as admins manage it (`/api/admin/embedding-models`).
 */
export type EmbeddingModelView = { 
/**
 * The hub's id (for every provider but Azure OpenAI also the provider's).
 */
model_id: string, 
/**
 * Its provider: `openai`, `gemini`, `mistral`, `azure_openai` or `openai_compatible`.
 */
provider: string, 
/**
 * Its name.
 */
display_name: string, 
/**
 * The length of its vectors: 256, 384, 512, 768, 1024 or 1536.
 */
dimension: number, 
/**
 * USD per million input tokens, a decimal string.
 */
input_price_per_million: string, 
/**
 * Azure OpenAI: the deployment that serves it.
 */
azure_deployment: string | null, 
/**
 * Whether files and questions are embedded with it.
 */
active: boolean, };

/**
 * `PUT /api/admin/embedding-models/{model_id}`: adds or changes an embedding model.
 */
export type PutEmbeddingModel = { 
/**
 * `openai`, `gemini`, `mistral`, `azure_openai` or `openai_compatible`.
 */
provider: string, 
/**
 * 1-100 characters.
 */
display_name: string, 
/**
 * 256, 384, 512, 768, 1024 or 1536 (changing it for the active model re-embeds every file).
 */
dimension: number, 
/**
 * USD per million input tokens, a decimal string (0 to 1000000, at most 10 decimals);
 * left out, 0.
 */
input_price_per_million?: string, 
/**
 * Azure OpenAI: the deployment (required there, refused elsewhere).
 */
azure_deployment?: string, };

/**
 * The answer of `POST /api/knowledge/tick`: what one background step did.
 */
export type KnowledgeTick = { 
/**
 * Files embedded with the active model.
 */
embedded: number, 
/**
 * Files whose attempt failed (tried again later, up to five times).
 */
failed: number, 
/**
 * Whether files are still due (the step stopped at its time budget).
 */
more: boolean, };

/**
 * An enabled model.
 */
export type ModelInfo = { 
/**
 * The hub's id of the model (what chats and messages name).
 */
id: string, 
/**
 * Its provider's id (`openai`, `anthropic`, `gemini`, `mistral`, `xai`, `azure_openai`,
 * `openai_compatible`).
 */
provider: string, 
/**
 * Its provider's name, for people.
 */
provider_name: string, 
/**
 * Its name, for people.
 */
display_name: string, 
/**
 * Whether it is the default model.
 */
is_default: boolean, 
/**
 * Its context window in tokens, when known.
 */
context_window: number | null, 
/**
 * Whether it takes a temperature (reasoning models do not).
 */
supports_temperature: boolean, 
/**
 * Price per million prompt tokens.
 */
input_price_per_million: Money, 
/**
 * Price per million generated tokens.
 */
output_price_per_million: Money, };

/**
 * `GET /api/models`: the enabled models, grouped by provider, and the default one.
 */
export type ModelList = { 
/**
 * The enabled models.
 */
items: Array<ModelInfo>, 
/**
 * The default model's id; `null` when none is enabled.
 */
default_model: string | null, };

/**
 * The period of a usage summary (`?period=`).
 */
export type UsagePeriod = "day" | "week" | "month" | "all";

/**
 * Tokens, requests and what they cost: the sums of a usage total or of a group of a report.
 */
export type UsageAmounts = { 
/**
 * Prompt tokens (cached ones included).
 */
input_tokens: number, 
/**
 * Generated tokens.
 */
output_tokens: number, 
/**
 * Prompt tokens served from a provider's cache.
 */
cached_tokens: number, 
/**
 * Requests to providers.
 */
requests: number, 
/**
 * What they cost.
 */
cost: Money, };

/**
 * Tokens, cost and requests of one user in one period.
 */
export type UsageTotals = { 
/**
 * The period.
 */
period: UsagePeriod, 
/**
 * Its start (RFC 3339, UTC; inclusive).
 */
from: string, 
/**
 * Its end (RFC 3339, UTC; exclusive): now.
 */
until: string, 
/**
 * Prompt tokens (cached ones included).
 */
input_tokens: number, 
/**
 * Generated tokens.
 */
output_tokens: number, 
/**
 * Prompt tokens served from a provider's cache.
 */
cached_tokens: number, 
/**
 * Requests to providers.
 */
requests: number, 
/**
 * What they cost.
 */
cost: Money, };

/**
 * `POST /api/admin/users`: an account, created whatever the registration policy.
 */
export type AdminCreateUser = { 
/**
 * The email address.
 */
email: string, 
/**
 * The name shown to people; left out, the email's local part.
 */
display_name?: string, 
/**
 * The password (8 to 128 characters); left out, one is generated and answered once.
 * Either way the user must change it at the first login.
 */
password?: string, 
/**
 * Make the account an administrator (default `false`).
 */
is_admin?: boolean, };

/**
 * The answer of `POST /api/admin/users` and `POST /api/admin/users/{id}/password-reset`.
 */
export type AdminUserPassword = { 
/**
 * The account.
 */
user: UserView, 
/**
 * The generated password, shown this once; `null` when the admin gave one.
 */
generated_password: string | null, };

/**
 * `PATCH /api/admin/users/{id}`: changes the fields it names (at least one).
 */
export type AdminUpdateUser = { 
/**
 * The new display name (1-100 characters).
 */
display_name?: string, 
/**
 * Activate or deactivate the account (not one's own; never the last active admin).
 */
is_active?: boolean, 
/**
 * Promote or demote (not oneself; never the last active admin).
 */
is_admin?: boolean, };

/**
 * `POST /api/admin/users/{id}/password-reset`: a new password, to be changed at next login.
 */
export type AdminPasswordReset = { 
/**
 * The new password (8 to 128 characters); left out, one is generated and answered once.
 */
password?: string, };

/**
 * A configured model as admins see it (`/api/admin/models`).
 */
export type AdminModelView = { 
/**
 * The hub's id of the model.
 */
id: string, 
/**
 * The provider's id (`openai`, `anthropic`, `gemini`, `mistral`, `xai`, `azure_openai`,
 * `openai_compatible`).
 */
provider: string, 
/**
 * The name shown to people.
 */
display_name: string, 
/**
 * Whether users may choose it.
 */
enabled: boolean, 
/**
 * Whether it is the default model (exactly one enabled model is, once any exists).
 */
is_default: boolean, 
/**
 * Whether its provider has a key and endpoint configured (else users do not see it).
 */
provider_configured: boolean, 
/**
 * Price per million prompt tokens.
 */
input_price_per_million: Money, 
/**
 * Price per million generated tokens.
 */
output_price_per_million: Money, 
/**
 * Price per million cached prompt tokens; `null`: cached tokens cost the input price.
 */
cached_input_price_per_million: Money | null, 
/**
 * The context window in tokens, when known.
 */
context_window: number | null, 
/**
 * Whether it takes a temperature (reasoning models do not).
 */
supports_temperature: boolean, 
/**
 * Azure OpenAI only: the deployment serving the model.
 */
azure_deployment: string | null, };

/**
 * `GET /api/admin/models`: every configured model, enabled or not.
 */
export type AdminModelList = { 
/**
 * The models, the default first, then by provider and name.
 */
items: Array<AdminModelView>, };

/**
 * `POST /api/admin/models`. Prices are decimal strings in USD per million tokens (0 to
 * 1000000, at most 10 decimals).
 */
export type AdminCreateModel = { 
/**
 * The hub's id of the model: 1-128 characters `A-Z a-z 0-9 . _ : / @ -`, starting with a
 * letter or digit (no spaces). For every provider but Azure OpenAI the provider's id.
 */
id: string, 
/**
 * The provider's id.
 */
provider: string, 
/**
 * The name shown to people (1-100 characters).
 */
display_name: string, 
/**
 * Price per million prompt tokens.
 */
input_price_per_million: string, 
/**
 * Price per million generated tokens.
 */
output_price_per_million: string, 
/**
 * Price per million cached prompt tokens; left out, none.
 */
cached_input_price_per_million?: string, 
/**
 * The context window in tokens (> 0); left out, unknown.
 */
context_window?: number, 
/**
 * Whether it takes a temperature (default `true`).
 */
supports_temperature?: boolean, 
/**
 * Azure OpenAI: the deployment (required there; refused for other providers).
 */
azure_deployment?: string, 
/**
 * Whether users may choose it (default `true`).
 */
enabled?: boolean, };

/**
 * `PATCH /api/admin/models/{id}`: changes the fields it names (at least one).
 *
 * `is_default: true` makes the model the default (it must be enabled; the former default
 * stops being one in the same transaction); `false` is refused: make another model the
 * default instead. Disabling the default model is refused (409 `default_model_required`).
 */
export type AdminUpdateModel = { 
/**
 * The name shown to people.
 */
display_name?: string, 
/**
 * Enable or disable.
 */
enabled?: boolean, 
/**
 * Make it the default (only `true`).
 */
is_default?: boolean, 
/**
 * Price per million prompt tokens.
 */
input_price_per_million?: string, 
/**
 * Price per million generated tokens.
 */
output_price_per_million?: string, 
/**
 * Price per million cached prompt tokens, or `null` for none.
 */
cached_input_price_per_million?: string | null, 
/**
 * The context window in tokens, or `null` for unknown.
 */
context_window?: number | null, 
/**
 * Whether it takes a temperature.
 */
supports_temperature?: boolean, 
/**
 * Azure OpenAI: the deployment (cannot be reset while the model is enabled).
 */
azure_deployment?: string | null, };

/**
 * The period of a cost report (`?period=`).
 */
export type CostPeriod = "day" | "week" | "month" | "custom";

/**
 * Tokens, requests and cost of one group of usage rows.
 */
export type CostGroup = { 
/**
 * What the group is: a user id (`null`: deleted users), a model id, a provider id, or a
 * day (`YYYY-MM-DD`); `null` only for deleted users.
 */
key: string | null, 
/**
 * For people: the user's email, the model's display name (the id when it is no longer
 * configured), the provider's name; the day again.
 */
label: string | null, 
/**
 * Prompt tokens (cached ones included).
 */
input_tokens: number, 
/**
 * Generated tokens.
 */
output_tokens: number, 
/**
 * Prompt tokens served from a provider's cache.
 */
cached_tokens: number, 
/**
 * Requests to providers.
 */
requests: number, 
/**
 * What they cost.
 */
cost: Money, };

/**
 * `GET /api/admin/costs`: the totals of a period and its breakdowns.
 */
export type CostReport = { 
/**
 * The period.
 */
period: CostPeriod, 
/**
 * Its start (RFC 3339, UTC; inclusive).
 */
from: string, 
/**
 * Its end (RFC 3339, UTC; exclusive).
 */
until: string, 
/**
 * Everything in the period (`key` and `label` are `null`).
 */
total: CostGroup, 
/**
 * By user, most expensive first (at most 100; deleted users in one group with key `null`).
 */
by_user: Array<CostGroup>, 
/**
 * By model, most expensive first.
 */
by_model: Array<CostGroup>, 
/**
 * By provider, most expensive first.
 */
by_provider: Array<CostGroup>, 
/**
 * By day (UTC), oldest first; days without usage are left out.
 */
by_day: Array<CostGroup>, };

/**
 * The account counts of [`AdminStats`].
 */
export type UserStats = { 
/**
 * Every account.
 */
total: number, 
/**
 * Active accounts.
 */
active: number, 
/**
 * Active administrators.
 */
admins: number, 
/**
 * Accounts that logged in or used a model in the last 7 days.
 */
active_last_7_days: number, 
/**
 * Accounts that logged in or used a model in the last 30 days.
 */
active_last_30_days: number, };

/**
 * One day of a series.
 */
export type DayCount = { 
/**
 * The day (UTC), `YYYY-MM-DD`.
 */
day: string, 
/**
 * The count.
 */
count: number, };

/**
 * `GET /api/admin/stats`.
 */
export type AdminStats = { 
/**
 * Accounts.
 */
users: UserStats, 
/**
 * Conversations.
 */
chats: number, 
/**
 * Messages (both roles).
 */
messages: number, 
/**
 * Assistants, global and personal.
 */
assistants: number, 
/**
 * Prompt templates, global and personal.
 */
templates: number, 
/**
 * Messages per day (UTC) of the last 30 days, oldest first, every day present.
 */
messages_per_day: Array<DayCount>, };

/**
 * Where a provider's key comes from.
 */
export type KeySource = "database" | "environment" | "none";

/**
 * Where a setting (base URL, API version) comes from.
 */
export type SettingSource = "database" | "environment" | "default" | "none";

/**
 * The outcome of a provider test.
 */
export type ProviderTestStatus = "ok" | "failed";

/**
 * The result of `POST /api/admin/providers/{provider}/test` (also kept as the provider's
 * `last_test`).
 */
export type ProviderTestView = { 
/**
 * `ok` or `failed`.
 */
status: ProviderTestStatus, 
/**
 * How long the request took, in milliseconds; `null` when nothing was sent.
 */
latency_ms: number | null, 
/**
 * Why it failed: the provider's own explanation, or the configuration problem.
 */
error: string | null, 
/**
 * When the test ran.
 */
tested_at: string, };

/**
 * A provider as admins see it (`/api/admin/providers`).
 */
export type ProviderView = { 
/**
 * The provider's id (`openai`, `anthropic`, `gemini`, `mistral`, `xai`, `azure_openai`,
 * `openai_compatible`).
 */
provider: string, 
/**
 * The name shown to people.
 */
display_name: string, 
/**
 * Whether requests need a key (an OpenAI-compatible server may take none).
 */
requires_key: boolean, 
/**
 * Where the key in use comes from.
 */
key_source: KeySource, 
/**
 * The last characters of the key stored in the database (none of a short key); `null`
 * when none is stored.
 */
key_hint: string | null, 
/**
 * When the stored key was set.
 */
key_set_at: string | null, 
/**
 * Who set it (`null` when unknown or the account is gone).
 */
key_set_by: string | null, 
/**
 * Why the stored key cannot be used (the master key `provider_keys_master_key` is
 * missing, malformed or does not decrypt it); the variable's key, if any, is used meanwhile.
 */
key_error: string | null, 
/**
 * Whether the base URL can be set here (Azure OpenAI's endpoint, an OpenAI-compatible
 * server's URL).
 */
base_url_editable: boolean, 
/**
 * The base URL in use; `null` when none is set.
 */
base_url: string | null, 
/**
 * Where it comes from.
 */
base_url_source: SettingSource, 
/**
 * Azure OpenAI's `api-version` in use; `null` for other providers.
 */
api_version: string | null, 
/**
 * Where it comes from; `null` for other providers.
 */
api_version_source: SettingSource | null, 
/**
 * Whether chats can use the provider now (a key where one is needed, a valid base URL).
 */
configured: boolean, 
/**
 * Why not, when not.
 */
configuration_error: string | null, 
/**
 * The last test, if any.
 */
last_test: ProviderTestView | null, };

/**
 * `GET /api/admin/providers`: every provider the hub speaks to, in a fixed order.
 */
export type ProviderList = { 
/**
 * The providers.
 */
items: Array<ProviderView>, };

/**
 * `PUT /api/admin/providers/{provider}/key`: set or replace the key stored in the database.
 */
export type SetProviderKey = { 
/**
 * The key (1-1000 printable ASCII characters; surrounding whitespace is removed). Stored
 * encrypted, never shown again.
 */
api_key: string, };

/**
 * `PATCH /api/admin/providers/{provider}`: the settings stored in the database; `null` resets
 * one (the Spin variable applies again).
 */
export type UpdateProvider = { 
/**
 * Azure OpenAI's endpoint (`https://<resource>.openai.azure.com`) or the OpenAI-compatible
 * server's base URL; checked against the outbound policy (https, a public host inside the
 * component's `allowed_outbound_hosts`; http and internal hosts only when listed in
 * `llm_trusted_hosts`).
 */
base_url?: string | null, 
/**
 * Azure OpenAI's `api-version` (`2024-10-21`, `2025-04-01-preview`).
 */
api_version?: string | null, };

/**
 * One audit event.
 */
export type AuditEntryView = { 
/**
 * Its place in the hash chain (1, 2, 3, ...).
 */
seq: number, 
/**
 * Its id (UUID v7).
 */
id: string, 
/**
 * Who acted; `null` for events without a signed-in actor (failed logins, the CLI).
 */
actor_id: string | null, 
/**
 * The actor's current email; `null` when unknown or the account is gone.
 */
actor_email: string | null, 
/**
 * What happened, `area.verb` (e.g. `auth.login`, `admin.user_updated`).
 */
action: string, 
/**
 * What it was done to (a user or chat id, an email, a model id).
 */
target: string | null, 
/**
 * The client's address.
 */
client_addr: string | null, 
/**
 * The client's `User-Agent`.
 */
user_agent: string | null, 
/**
 * Before/after values and the like (never a secret).
 */
details: Record<string, unknown>, 
/**
 * When (RFC 3339, UTC).
 */
created_at: string, 
/**
 * Its link in the chain: SHA-256 (hex) over its content and the previous row's hash.
 */
hash: string, };

/**
 * The first broken link of the audit chain.
 */
export type AuditBrokenLink = { 
/**
 * Where the chain breaks.
 */
seq: number, 
/**
 * The row found there; `null` when rows are missing at the end.
 */
id: string | null, 
/**
 * `missing` (the row at `seq` was deleted), `prev_hash_mismatch` (a row before was
 * deleted, inserted or reordered), `hash_mismatch` (the row was changed), `head_mismatch`
 * (rows removed from the end).
 */
problem: string, 
/**
 * What differs, for people.
 */
message: string, };

/**
 * What verifying the audit chain found.
 */
export type AuditVerification = { 
/**
 * Whether every link holds.
 */
ok: boolean, 
/**
 * Rows whose link was checked and held.
 */
checked: number, 
/**
 * The last row of the chain when the check started (0 when empty).
 */
head_seq: number, 
/**
 * Its hash (hex): keep it elsewhere to detect a rewrite of the whole chain later.
 */
head_hash: string, 
/**
 * The first broken link; `null` when `ok`.
 */
broken: AuditBrokenLink | null, };
