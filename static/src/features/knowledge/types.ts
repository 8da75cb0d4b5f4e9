/**
 * The knowledge API's fields that `api/types.gen.ts` does not carry yet (issue #14's contract:
 * embedding state, status, hybrid mode, sources, attachments). Each type extends the generated
 * one; once the Rust types render them, these declarations give way to the generated ones.
 */
import type {
  AssistantView,
  ChatDetail,
  CreateAssistant,
  KnowledgeFileView,
  KnowledgeHit,
  MessageView,
  SendMessage,
  UpdateAssistant,
  UpdateChat,
} from "../../api/types.gen";

/** How searches and answers find passages: vectors and keywords, or keywords only. */
export type KnowledgeMode = "hybrid" | "keyword";

/** Where a file's embedding stands (`none`: no embedding model is active). */
export type EmbeddingStatus = "none" | "pending" | "ready" | "failed";

export interface FileEmbedding {
  status: EmbeddingStatus;
  error: string | null;
}

/** A file with its embedding state (older hubs leave it out). */
export type KnowledgeFile = KnowledgeFileView & { embedding?: FileEmbedding };

/** `GET /api/knowledge/status`. */
export interface KnowledgeStatus {
  mode: KnowledgeMode;
  embedding_model: { model_id: string; display_name: string; dimension: number } | null;
}

/** `GET /api/knowledge/search`. */
export interface SearchResults {
  mode: KnowledgeMode;
  items: KnowledgeHit[];
}

/** One passage an answer drew on (the `sources` event, and stored answers). */
export interface MessageSource {
  /** The number the answer cites it by: `[1]`, `[2]`, ... */
  index: number;
  file_id: string;
  file_name: string;
  collection_id: string | null;
  page: number | null;
  heading_path: string[];
  ordinal: number;
  snippet: string;
  score: number;
}

/** `event: sources`. */
export interface SourcesEvent {
  sources: MessageSource[];
}

/** A file attached to a user's message. */
export interface AttachedFile {
  id: string;
  name: string;
}

/** What a message carries of knowledge: sources (answers), attached files (questions). */
export interface MessageKnowledge {
  id: string;
  sources?: MessageSource[];
  files?: AttachedFile[];
}

/** A message with its sources and files (older hubs leave them out). */
export type KnowledgeMessage = MessageView & MessageKnowledge;

/** The collections of a conversation (older hubs leave them out). */
export function collectionIdsOf(chat: { collection_ids?: string[] }): string[] {
  return chat.collection_ids ?? [];
}

export type ChatWithKnowledge = ChatDetail & { collection_ids?: string[] };
export type UpdateChatWithKnowledge = UpdateChat & { collection_ids?: string[] };
export type SendMessageWithFiles = SendMessage & { file_ids?: string[] };

export type AssistantWithKnowledge = AssistantView & { collection_ids?: string[] };
export type CreateAssistantWithKnowledge = CreateAssistant & { collection_ids?: string[] };
export type UpdateAssistantWithKnowledge = UpdateAssistant & { collection_ids?: string[] };

/** `GET /api/admin/embedding-models` items. */
export interface EmbeddingModel {
  model_id: string;
  provider: string;
  display_name: string;
  dimension: number;
  /** A decimal string. */
  input_price_per_million: string;
  azure_deployment: string | null;
  active: boolean;
}

/** `PUT /api/admin/embedding-models/{model_id}`. */
export interface PutEmbeddingModel {
  provider: string;
  display_name: string;
  dimension: number;
  input_price_per_million: string;
  azure_deployment?: string;
}

/** The dimensions the hub stores. */
export const EMBEDDING_DIMENSIONS = [256, 384, 512, 768, 1024, 1536] as const;
