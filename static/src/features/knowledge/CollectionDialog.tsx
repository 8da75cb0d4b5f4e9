import { useState } from "react";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { FormDialog } from "../../components/ui/FormDialog";
import { useSubmission } from "../../components/ui/useSubmission";
import { createCollection, updateCollection } from "./api";

/** The API's limits (hub-api `CreateKnowledgeCollection`). */
const MAX_NAME = 100;
const MAX_DESCRIPTION = 500;

/** Creates a collection (`collection` null) or renames one; admins may make a new one global. */
export function CollectionDialog({
  collection,
  isAdmin,
  onCancel,
  onSaved,
}: {
  collection: KnowledgeCollectionView | null;
  isAdmin: boolean;
  onCancel: () => void;
  onSaved: (collection: KnowledgeCollectionView) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(collection?.name ?? "");
  const [description, setDescription] = useState(collection?.description ?? "");
  const [global, setGlobal] = useState(false);
  const { error, setError, busy, run } = useSubmission();

  const submit = () => {
    if (name.trim() === "") {
      setError(t("knowledge.nameRequired"));
      return;
    }
    const fields = { name: name.trim(), description: description.trim() };
    void run(
      () =>
        collection === null
          ? createCollection({ ...fields, scope: isAdmin && global ? "global" : "personal" })
          : updateCollection(collection.id, fields),
      onSaved,
    );
  };

  return (
    <FormDialog
      title={collection === null ? t("knowledge.newCollection") : t("knowledge.editCollection", { name: collection.name })}
      testId="collection-dialog"
      onSubmit={submit}
      onCancel={onCancel}
      submitLabel={t("admin.save")}
      cancelLabel={t("admin.cancel")}
      busy={busy}
      error={error}
    >
      <div className="field">
        <label htmlFor="collection-name">{t("knowledge.name")}</label>
        <input id="collection-name" type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={MAX_NAME} autoComplete="off" required />
      </div>
      <div className="field">
        <label htmlFor="collection-description">{t("knowledge.description")}</label>
        <input id="collection-description" type="text" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={MAX_DESCRIPTION} autoComplete="off" />
      </div>
      {isAdmin && collection === null && (
        <label className="check">
          <input type="checkbox" checked={global} onChange={(e) => setGlobal(e.target.checked)} /> {t("knowledge.makeGlobal")}
        </label>
      )}
      {collection !== null && <p className="field-hint">{t(collection.scope === "global" ? "knowledge.isGlobal" : "scope.isPersonal")}</p>}
    </FormDialog>
  );
}
