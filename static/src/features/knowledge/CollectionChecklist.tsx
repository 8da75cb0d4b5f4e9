import { useId } from "react";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";

interface Props {
  legend: string;
  hint: string;
  /** The collections to choose from; `null` while loading. */
  collections: KnowledgeCollectionView[] | null;
  selected: readonly string[];
  onChange: (ids: string[]) => void;
}

/** A multi-select of knowledge collections (a checkbox per collection). */
export function CollectionChecklist({ legend, hint, collections, selected, onChange }: Props) {
  const { t } = useI18n();
  const id = useId();
  return (
    <fieldset className="collection-checklist" aria-describedby={id} data-testid="collection-checklist">
      <legend>{legend}</legend>
      <p id={id} className="field-hint">
        {hint}
      </p>
      {collections === null && <p className="muted">{t("common.loading")}</p>}
      {collections !== null && collections.length === 0 && <p className="muted">{t("assistants.noCollections")}</p>}
      {collections?.map((c) => (
        <label key={c.id} className="check">
          <input
            type="checkbox"
            checked={selected.includes(c.id)}
            onChange={(e) => onChange(e.target.checked ? [...selected, c.id] : selected.filter((s) => s !== c.id))}
          />{" "}
          {c.name}
          {c.scope === "global" && <span className="badge badge-accent">{t("scope.global")}</span>}
        </label>
      ))}
    </fieldset>
  );
}
