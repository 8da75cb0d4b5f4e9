import { useEffect, useId, useState } from "react";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { describeError } from "../../lib/errors";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { EditDeleteButtons } from "../../components/ui/ManageDialog";
import { Icon } from "../../components/ui/Icon";
import { deleteCollection, knowledgeStatus } from "./api";
import { CollectionDialog } from "./CollectionDialog";
import { FileTable } from "./FileTable";
import { KeywordBadge, SearchPanel } from "./SearchPanel";
import type { KnowledgeMode } from "./types";
import type { Collections } from "./useCollections";

interface Props {
  isAdmin: boolean;
  collections: Collections;
}

/** The hub's mode (hybrid or keyword only); `null` when the hub does not say. */
function useKnowledgeMode(): KnowledgeMode | null {
  const [mode, setMode] = useState<KnowledgeMode | null>(null);
  useEffect(() => {
    let live = true;
    // An older hub has no status route: the search answer tells the mode then.
    knowledgeStatus().then(
      (status) => {
        if (live) setMode(status.mode);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return mode;
}

/**
 * The knowledge page: the collections (the user's and everyone's), the files of the one
 * selected, and a search over all of them.
 */
export function KnowledgePage({ isAdmin, collections }: Props) {
  const { t } = useI18n();
  const id = useId();
  const mode = useKnowledgeMode();
  const items = collections.items;
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [editing, setEditing] = useState<KnowledgeCollectionView | "new" | null>(null);
  const [deleting, setDeleting] = useState<KnowledgeCollectionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const selected = items?.find((c) => c.id === selectedId) ?? items?.[0] ?? null;

  useEffect(() => {
    document.title = t("knowledge.title") + " · " + t("app.name");
  }, [t]);

  const groups: [string, KnowledgeCollectionView[]][] = [
    [t("assistants.global"), (items ?? []).filter((c) => c.scope === "global")],
    [t("assistants.mine"), (items ?? []).filter((c) => c.scope === "personal")],
  ];

  const confirmDelete = () => {
    const collection = deleting;
    setDeleting(null);
    if (collection === null) return;
    setError(null);
    deleteCollection(collection.id).then(
      () => {
        setStatus(t("knowledge.collectionDeleted", { name: collection.name }));
        if (selectedId === collection.id) setSelectedId(null);
        collections.reload();
      },
      (err: unknown) => setError(describeError(err, t)),
    );
  };

  return (
    <section className="knowledge-page" aria-labelledby={id + "title"} data-testid="knowledge-page">
      <header className="knowledge-header">
        <h1 id={id + "title"} className="chat-heading">
          {t("knowledge.title")}
        </h1>
        {mode === "keyword" && <KeywordBadge />}
      </header>
      <div className="knowledge-scroll" id="main-content" tabIndex={-1}>
        <p className="visually-hidden" role="status" aria-live="polite">
          {status}
        </p>
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
        {collections.error !== null && collections.error !== undefined && (
          <p className="notice notice-error" role="alert">
            {describeError(collections.error, t)}
          </p>
        )}
        <div className="knowledge-grid">
          <nav className="collection-nav" aria-label={t("knowledge.collections")}>
            <div className="knowledge-section-head">
              <h2>{t("knowledge.collections")}</h2>
              <button type="button" className="btn btn-primary btn-small" onClick={() => setEditing("new")}>
                <Icon name="plus" size={16} /> {t("knowledge.newCollection")}
              </button>
            </div>
            {items === null && <p className="muted">{t("common.loading")}</p>}
            {items !== null && items.length === 0 && <p className="muted">{t("knowledge.noCollections")}</p>}
            {groups.map(([label, list]) =>
              list.length === 0 ? null : (
                <div key={label} className="collection-group">
                  <h3 className="assistant-group-label">{label}</h3>
                  <ul>
                    {list.map((c) => (
                      <li key={c.id}>
                        <button
                          type="button"
                          className={c.id === selected?.id ? "collection-link selected" : "collection-link"}
                          aria-current={c.id === selected?.id ? "true" : undefined}
                          onClick={() => setSelectedId(c.id)}
                          data-testid="collection-link"
                          data-name={c.name}
                        >
                          <Icon name="book" size={15} />
                          <span className="chat-title">{c.name}</span>
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              ),
            )}
          </nav>
          <div className="knowledge-main">
            {selected !== null && (
              <section className="collection-detail" aria-labelledby={id + "collection"} data-testid="collection-detail">
                <div className="knowledge-section-head">
                  <div>
                    <h2 id={id + "collection"}>
                      {selected.name} {selected.scope === "global" && <span className="badge badge-accent">{t("scope.global")}</span>}
                    </h2>
                    {selected.description !== "" && <p className="muted collection-description">{selected.description}</p>}
                  </div>
                  {selected.editable && (
                    <div className="row-actions">
                      <EditDeleteButtons
                        editLabel={t("knowledge.renameLabel", { name: selected.name })}
                        deleteLabel={t("knowledge.deleteLabel", { name: selected.name })}
                        onEdit={() => setEditing(selected)}
                        onDelete={() => setDeleting(selected)}
                      />
                    </div>
                  )}
                </div>
                <FileTable key={selected.id} collection={selected} />
              </section>
            )}
            <SearchPanel collections={items ?? []} mode={mode} />
          </div>
        </div>
      </div>
      {editing !== null && (
        <CollectionDialog
          collection={editing === "new" ? null : editing}
          isAdmin={isAdmin}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setSelectedId(saved.id);
            setStatus(t("knowledge.collectionSaved", { name: saved.name }));
            collections.reload();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t("knowledge.deleteTitle")}
          body={t(deleting.scope === "global" ? "knowledge.deleteBodyGlobal" : "knowledge.deleteBody", { name: deleting.name })}
          confirmLabel={t("sidebar.delete")}
          cancelLabel={t("sidebar.cancel")}
          danger
          onConfirm={confirmDelete}
          onCancel={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
