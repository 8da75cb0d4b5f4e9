import { useEffect, useId, useState } from "react";
import type { UserView } from "../../api/types.gen";
import { useI18n } from "../../i18n/I18n";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Icon } from "../../components/ui/Icon";
import { Popover } from "../../components/ui/Popover";
import { deleteUser, listUsers, resetPassword, updateUser, type UserQuery } from "./api";
import { CreateUserDialog, PasswordShownDialog } from "./UserDialogs";
import { formatDateTime } from "./format";
import { ErrorNotice, ListFooter } from "./Notice";
import { usePagedList } from "./usePagedList";

/** An action on a user that asks first. */
type Pending = { kind: "deactivate" | "demote" | "delete" | "reset"; user: UserView };

/** The debounced value of a search field: requests go out once typing pauses. */
export function useDebounced(value: string, ms = 300): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Users (A2): search, filters, sort, keyset paging; create, activate, promote, reset, delete. */
export function UsersTab({ me }: { me: UserView }) {
  const { t, locale } = useI18n();
  const id = useId();
  const [search, setSearch] = useState("");
  const q = useDebounced(search);
  const [filter, setFilter] = useState<Omit<UserQuery, "q">>({ active: "", admin: "", sort: "created_at", order: "desc" });
  const query: UserQuery = { ...filter, q };
  const list = usePagedList((cursor) => listUsers(query, cursor), JSON.stringify(query));
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<{ email: string; password: string } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState("");

  const replace = (user: UserView) => list.update((items) => items.map((u) => (u.id === user.id ? user : u)));
  const run = async (action: () => Promise<void>, done: string) => {
    setActionError(null);
    try {
      await action();
      setStatus(done);
    } catch (err) {
      setActionError(err);
    }
  };
  const patch = (user: UserView, body: { is_active?: boolean; is_admin?: boolean }, done: string) =>
    void run(async () => replace(await updateUser(user.id, body)), done);

  const confirm = () => {
    const action = pending;
    setPending(null);
    if (action === null) return;
    const { user } = action;
    if (action.kind === "deactivate") patch(user, { is_active: false }, t("admin.users.deactivated", { email: user.email }));
    else if (action.kind === "demote") patch(user, { is_admin: false }, t("admin.users.demoted", { email: user.email }));
    else if (action.kind === "delete") {
      void run(async () => {
        await deleteUser(user.id);
        list.update((items) => items.filter((u) => u.id !== user.id));
      }, t("admin.users.deleted", { email: user.email }));
    } else {
      void run(async () => {
        const answer = await resetPassword(user.id, {});
        replace(answer.user);
        if (answer.generated_password !== null) setShown({ email: user.email, password: answer.generated_password });
      }, t("admin.users.resetDone", { email: user.email }));
    }
  };

  const setField = <K extends keyof typeof filter>(key: K, value: (typeof filter)[K]) => setFilter((f) => ({ ...f, [key]: value }));

  return (
    <section aria-labelledby={id + "title"}>
      <div className="admin-section-head">
        <h2 id={id + "title"}>{t("admin.tab.users")}</h2>
        <button type="button" className="btn btn-primary btn-small" onClick={() => setCreating(true)}>
          <Icon name="plus" /> {t("admin.users.create")}
        </button>
      </div>
      <div className="admin-toolbar" role="search">
        <label className="admin-search">
          <span className="visually-hidden">{t("admin.users.search")}</span>
          <input type="search" placeholder={t("admin.users.search")} value={search} onChange={(e) => setSearch(e.target.value)} maxLength={100} />
        </label>
        <label>
          <span>{t("admin.users.status")}</span>
          <select value={filter.active} onChange={(e) => setField("active", e.target.value as UserQuery["active"])}>
            <option value="">{t("admin.filter.all")}</option>
            <option value="true">{t("admin.users.active")}</option>
            <option value="false">{t("admin.users.inactive")}</option>
          </select>
        </label>
        <label>
          <span>{t("admin.users.role")}</span>
          <select value={filter.admin} onChange={(e) => setField("admin", e.target.value as UserQuery["admin"])}>
            <option value="">{t("admin.filter.all")}</option>
            <option value="true">{t("admin.users.admins")}</option>
            <option value="false">{t("admin.users.members")}</option>
          </select>
        </label>
        <label>
          <span>{t("admin.users.sort")}</span>
          <select value={filter.sort + ":" + filter.order} onChange={(e) => {
            const [sort, order] = e.target.value.split(":") as [UserQuery["sort"], UserQuery["order"]];
            setFilter((f) => ({ ...f, sort, order }));
          }}>
            <option value="created_at:desc">{t("admin.users.sortNewest")}</option>
            <option value="created_at:asc">{t("admin.users.sortOldest")}</option>
            <option value="email:asc">{t("admin.users.sortEmail")}</option>
            <option value="last_login_at:desc">{t("admin.users.sortLastLogin")}</option>
          </select>
        </label>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <ErrorNotice error={actionError} />
      <ErrorNotice error={list.error} onRetry={list.reload} />
      <div className="admin-table-wrap">
        <table className="admin-table" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">{t("admin.users.user")}</th>
              <th scope="col">{t("admin.users.role")}</th>
              <th scope="col">{t("admin.users.status")}</th>
              <th scope="col" className="wide-only">{t("admin.users.created")}</th>
              <th scope="col" className="wide-only">{t("admin.users.lastLogin")}</th>
              <th scope="col"><span className="visually-hidden">{t("admin.actions")}</span></th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((user) => {
              const self = user.id === me.id;
              return (
                <tr key={user.id} data-testid="user-row" data-email={user.email}>
                  <td>
                    <div className="cell-main">{user.display_name}{self && <span className="badge">{t("admin.users.you")}</span>}</div>
                    <div className="cell-sub">{user.email}</div>
                  </td>
                  <td>{user.is_admin ? <span className="badge badge-accent">{t("admin.users.admin")}</span> : t("admin.users.member")}</td>
                  <td>
                    {user.is_active ? t("admin.users.active") : <span className="badge badge-danger">{t("admin.users.inactive")}</span>}
                    {user.must_change_password && <div className="cell-sub">{t("admin.users.mustChange")}</div>}
                  </td>
                  <td className="wide-only">{formatDateTime(user.created_at, locale)}</td>
                  <td className="wide-only">{formatDateTime(user.last_login_at, locale)}</td>
                  <td className="actions-cell">
                    <div className="row-menu">
                      <button
                        type="button"
                        className="icon-button"
                        aria-haspopup="menu"
                        aria-expanded={menuFor === user.id}
                        aria-label={t("admin.users.actionsFor", { email: user.email })}
                        onClick={() => setMenuFor((open) => (open === user.id ? null : user.id))}
                      >
                        <Icon name="more" />
                      </button>
                      {menuFor === user.id && (
                        <Popover label={t("admin.users.actionsFor", { email: user.email })} onClose={() => setMenuFor(null)}>
                          {user.is_admin ? (
                            <button type="button" role="menuitem" className="menu-item" disabled={self} onClick={() => { setMenuFor(null); setPending({ kind: "demote", user }); }}>
                              {t("admin.users.demote")}
                            </button>
                          ) : (
                            <button type="button" role="menuitem" className="menu-item" onClick={() => { setMenuFor(null); patch(user, { is_admin: true }, t("admin.users.promoted", { email: user.email })); }}>
                              {t("admin.users.promote")}
                            </button>
                          )}
                          {user.is_active ? (
                            <button type="button" role="menuitem" className="menu-item" disabled={self} onClick={() => { setMenuFor(null); setPending({ kind: "deactivate", user }); }}>
                              {t("admin.users.deactivate")}
                            </button>
                          ) : (
                            <button type="button" role="menuitem" className="menu-item" onClick={() => { setMenuFor(null); patch(user, { is_active: true }, t("admin.users.activated", { email: user.email })); }}>
                              {t("admin.users.activate")}
                            </button>
                          )}
                          <button type="button" role="menuitem" className="menu-item" onClick={() => { setMenuFor(null); setPending({ kind: "reset", user }); }}>
                            {t("admin.users.reset")}
                          </button>
                          <button type="button" role="menuitem" className="menu-item danger" disabled={self} onClick={() => { setMenuFor(null); setPending({ kind: "delete", user }); }}>
                            <Icon name="trash" /> {t("admin.users.delete")}
                          </button>
                        </Popover>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ListFooter list={list} empty={t("admin.users.none")} />
      {pending && (
        <ConfirmDialog
          title={t(`admin.users.${pending.kind}Title`)}
          body={t(`admin.users.${pending.kind}Body`, { email: pending.user.email })}
          confirmLabel={t(`admin.users.${pending.kind}Confirm`)}
          cancelLabel={t("admin.cancel")}
          danger={pending.kind !== "reset"}
          onConfirm={confirm}
          onCancel={() => setPending(null)}
        />
      )}
      {creating && (
        <CreateUserDialog
          onCancel={() => setCreating(false)}
          onCreated={(answer) => {
            setCreating(false);
            list.update((items) => [answer.user, ...items]);
            setStatus(t("admin.users.createdDone", { email: answer.user.email }));
            if (answer.generated_password !== null) setShown({ email: answer.user.email, password: answer.generated_password });
          }}
        />
      )}
      {shown && <PasswordShownDialog email={shown.email} password={shown.password} onClose={() => setShown(null)} />}
    </section>
  );
}
