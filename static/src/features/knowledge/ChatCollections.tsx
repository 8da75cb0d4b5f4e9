import { useState } from "react";
import type { KnowledgeCollectionView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { navigateTo } from "../../lib/route";
import { Icon } from "../../components/ui/Icon";
import { Popover } from "../../components/ui/Popover";

/** The API's limit of collections per chat. */
const MAX_COLLECTIONS = 10;

interface Props {
  /** Every collection the user sees; `null` while loading. */
  collections: KnowledgeCollectionView[] | null;
  /** The ones attached to the conversation. */
  selected: readonly string[];
  onChange: (ids: string[]) => void;
  disabled: boolean;
}

/**
 * The knowledge collections of a conversation: a chip per attached one (with a remove button)
 * and a picker to attach more. Answers then draw on their files.
 */
export function ChatCollections({ collections, selected, onChange, disabled }: Props) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const names = new Map((collections ?? []).map((c) => [c.id, c.name]));
  const toggle = (id: string, on: boolean) => onChange(on ? [...selected, id] : selected.filter((s) => s !== id));
  return (
    <div className="chat-collections" data-testid="chat-collections">
      {selected.length > 0 && (
        <ul className="chip-list" aria-label={t("attach.collections")}>
          {selected.map((id) => (
            <li key={id} className="chip" data-testid="collection-chip">
              <Icon name="book" size={13} />
              <span className="chip-text">{names.get(id) ?? t("attach.unknownCollection")}</span>
              <button
                type="button"
                className="chip-remove"
                disabled={disabled}
                aria-label={t("attach.detach", { name: names.get(id) ?? "" })}
                onClick={() => toggle(id, false)}
              >
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="menu-anchor">
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-haspopup="dialog"
          aria-expanded={open}
          disabled={disabled}
          onClick={() => setOpen((o) => !o)}
          data-testid="collections-button"
        >
          <Icon name="book" size={15} /> <span className="wide-label">{t("attach.collectionsButton")}</span>
        </button>
        {open && (
          <Popover role="dialog" label={t("attach.collections")} className="collection-picker" onClose={() => setOpen(false)}>
            <p className="menu-label">{t("attach.collectionsHint")}</p>
            {collections === null && <p className="muted">{t("common.loading")}</p>}
            {collections !== null && collections.length === 0 && (
              <button type="button" className="link-button" onClick={() => navigateTo("/knowledge")}>
                {t("attach.noCollections")}
              </button>
            )}
            {collections?.map((c) => {
              const checked = selected.includes(c.id);
              return (
                <label key={c.id} className="check picker-check">
                  <input
                    type="checkbox"
                    checked={checked}
                    disabled={!checked && selected.length >= MAX_COLLECTIONS}
                    onChange={(e) => toggle(c.id, e.target.checked)}
                  />
                  <span>{c.name}</span>
                  {c.scope === "global" && <span className="badge badge-accent">{t("scope.global")}</span>}
                </label>
              );
            })}
          </Popover>
        )}
      </div>
    </div>
  );
}
