/** The knowledge routes (`/api/knowledge/...`). */
import { apiJson, authedFetch } from "../../api/client";
import type { CreateKnowledgeCollection, KnowledgeCollectionView, Page, UpdateKnowledgeCollection } from "../../api/types.gen";
import { uploadBytes, type UploadOptions } from "../../api/upload";
import { saveBlob } from "../../lib/download";
import { listAllPages } from "../assistants/api";
import type { KnowledgeFile, KnowledgeStatus, SearchResults } from "./types";

const id = (value: string) => encodeURIComponent(value);

export function listCollections(): Promise<KnowledgeCollectionView[]> {
  return listAllPages<KnowledgeCollectionView>("/api/knowledge/collections");
}

export function createCollection(body: CreateKnowledgeCollection): Promise<KnowledgeCollectionView> {
  return apiJson("POST", "/api/knowledge/collections", { body });
}

export function updateCollection(collection: string, body: UpdateKnowledgeCollection): Promise<KnowledgeCollectionView> {
  return apiJson("PATCH", "/api/knowledge/collections/" + id(collection), { body });
}

export function deleteCollection(collection: string): Promise<void> {
  return apiJson("DELETE", "/api/knowledge/collections/" + id(collection));
}

/** The files of a collection, newest first (one page of up to 100). */
export async function listFiles(collection: string): Promise<KnowledgeFile[]> {
  const query = new URLSearchParams({ collection_id: collection, limit: "100" });
  const page = await apiJson<Page<KnowledgeFile>>("GET", "/api/knowledge/files?" + query.toString());
  return page.items;
}

export function getFile(file: string): Promise<KnowledgeFile> {
  return apiJson("GET", "/api/knowledge/files/" + id(file));
}

/** Uploads `file` into `collection` (`null`: a file on its own, to attach to a message). */
export function uploadFile(file: File, collection: string | null, options: UploadOptions = {}): Promise<KnowledgeFile> {
  const query = new URLSearchParams({ name: file.name });
  if (collection !== null) query.set("collection_id", collection);
  return uploadBytes<KnowledgeFile>("/api/knowledge/files?" + query.toString(), file, options);
}

export function deleteFile(file: string): Promise<void> {
  return apiJson("DELETE", "/api/knowledge/files/" + id(file));
}

/** Downloads a file's bytes (with the bearer token: a plain link could not send it). */
export async function downloadFile(file: string, name: string): Promise<void> {
  const response = await authedFetch("GET", "/api/knowledge/files/" + id(file) + "/content", { accept: "*/*" });
  saveBlob(await response.blob(), name);
}

export function search(q: string, collection: string | null, signal?: AbortSignal): Promise<SearchResults> {
  const query = new URLSearchParams({ q, limit: "20" });
  if (collection !== null) query.set("collection_id", collection);
  return apiJson("GET", "/api/knowledge/search?" + query.toString(), signal ? { signal } : {});
}

export function knowledgeStatus(): Promise<KnowledgeStatus> {
  return apiJson("GET", "/api/knowledge/status");
}
