import { useState, type FormEvent, type ReactNode } from 'react';
import { request, type BodyOf } from '../api/client';
import type { MemberView, RoleView } from '../api/types';
import { ConfirmDialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Loading, Page, Section } from '../components/page';
import { formatDate } from '../lib/format';
import { useMe } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';

type Permissions = BodyOf<'post', '/v1/roles'>['permissions'];

function CheckList({
  idPrefix,
  legend,
  options,
  chosen,
  onChange,
}: {
  idPrefix: string;
  legend: string;
  options: string[];
  chosen: string[];
  onChange: (next: string[]) => void;
}): ReactNode {
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      <div className="check-grid">
        {options.map((option) => (
          <div key={option} className="field field-check">
            <input
              id={`${idPrefix}-${option}`}
              type="checkbox"
              checked={chosen.includes(option)}
              onChange={(event) => onChange(event.target.checked ? [...chosen, option] : chosen.filter((item) => item !== option))}
            />
            <label htmlFor={`${idPrefix}-${option}`}>{option}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

/** People in the account, their roles, and the account's custom roles (SPEC §1). */
export function MembersPage(): ReactNode {
  const me = useMe();
  const members = useResource('members', () => request('get', '/v1/members'));
  const roles = useResource('roles', () => request('get', '/v1/roles'));
  const [email, setEmail] = useState('');
  const [memberRoles, setMemberRoles] = useState<string[]>([]);
  const [password, setPassword] = useState('');
  const [roleName, setRoleName] = useState('');
  const [rolePermissions, setRolePermissions] = useState<string[]>(['credentials.read']);
  const [editing, setEditing] = useState<{ member: MemberView; roles: string[] } | undefined>(undefined);
  const [removing, setRemoving] = useState<MemberView | undefined>(undefined);
  const [deleting, setDeleting] = useState<RoleView | undefined>(undefined);
  const roleNames = (roles.data?.items ?? []).map((role) => role.name);

  const addMember = useAction(async () => {
    await request('post', '/v1/members', { body: { email: email.trim(), roles: memberRoles, ...(password ? { password } : {}) } });
    setEmail('');
    setPassword('');
    setMemberRoles([]);
    await members.reload();
  });
  const addRole = useAction(async () => {
    await request('post', '/v1/roles', { body: { name: roleName.trim(), permissions: rolePermissions as Permissions } });
    setRoleName('');
    await roles.reload();
  });

  const active = (members.data?.items ?? []).filter((member) => !member.removedAt);
  return (
    <Page title="Members and roles" subtitle="Nobody can grant a role or permission they do not hold themselves.">
      <Section title="Members">
        {members.error && <ErrorMessage error={members.error} />}
        {!members.data && !members.error && <Loading />}
        {active.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {active.map((member) => (
                  <tr key={member.id}>
                    <td>
                      {member.email}
                      {member.id === me.id && <span className="badge badge-current">You</span>}
                    </td>
                    <td>{member.roles.join(', ') || '—'}</td>
                    <td>{formatDate(member.createdAt)}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button button-small button-quiet"
                        onClick={() => setEditing({ member, roles: member.roles })}
                        aria-label={`Change roles of ${member.email}`}
                      >
                        Change roles
                      </button>
                      {member.id !== me.id && (
                        <button
                          type="button"
                          className="button button-small button-quiet"
                          onClick={() => setRemoving(member)}
                          aria-label={`Remove ${member.email}`}
                        >
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form
          className="form subform"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void addMember.run();
          }}
        >
          <h3>Add a member</h3>
          <div className="form-row">
            <div className="field">
              <label htmlFor="member-email">Member email</label>
              <input id="member-email" type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="member-password">Console password (optional)</label>
              <input
                id="member-password"
                type="password"
                autoComplete="new-password"
                minLength={8}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </div>
          </div>
          <CheckList idPrefix="new-member-role" legend="Roles" options={roleNames} chosen={memberRoles} onChange={setMemberRoles} />
          <ErrorMessage error={addMember.error} />
          <div>
            <button type="submit" className="button button-primary" disabled={addMember.isBusy}>
              Add member
            </button>
          </div>
        </form>
      </Section>

      <Section title="Roles">
        {roles.error && <ErrorMessage error={roles.error} />}
        {roles.data && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Permissions</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {roles.data.items.map((role) => (
                  <tr key={role.name}>
                    <td>
                      {role.name}
                      {role.builtIn && <span className="badge badge-retired">Built in</span>}
                    </td>
                    <td className="cell-wrap cell-small">{role.permissions.join(', ')}</td>
                    <td className="cell-actions">
                      {!role.builtIn && (
                        <button
                          type="button"
                          className="button button-small button-quiet"
                          onClick={() => setDeleting(role)}
                          aria-label={`Remove role ${role.name}`}
                        >
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form
          className="form subform"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void addRole.run();
          }}
        >
          <h3>New custom role</h3>
          <div className="field">
            <label htmlFor="role-name">Role name</label>
            <input
              id="role-name"
              required
              maxLength={100}
              placeholder="Portal Admin"
              value={roleName}
              onChange={(event) => setRoleName(event.target.value)}
            />
          </div>
          <CheckList
            idPrefix="new-role-permission"
            legend="Permissions"
            options={me.permissions}
            chosen={rolePermissions}
            onChange={setRolePermissions}
          />
          <ErrorMessage error={addRole.error} />
          <div>
            <button type="submit" className="button" disabled={addRole.isBusy}>
              Create role
            </button>
          </div>
        </form>
      </Section>

      <ConfirmDialog
        open={editing !== undefined}
        title="Change roles"
        confirmLabel="Save"
        cancelLabel="Cancel"
        onCancel={() => setEditing(undefined)}
        onConfirm={async () => {
          if (editing) await request('put', '/v1/members/{id}/roles', { path: { id: editing.member.id }, body: { roles: editing.roles } });
          setEditing(undefined);
          await members.reload();
        }}
      >
        {editing && (
          <>
            <p>
              Roles of <strong className="target">{editing.member.email}</strong>. Tokens issued for a role they lose are revoked.
            </p>
            <CheckList
              idPrefix="edit-role"
              legend="Roles"
              options={roleNames}
              chosen={editing.roles}
              onChange={(next) => setEditing({ ...editing, roles: next })}
            />
          </>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={removing !== undefined}
        title="Remove member"
        onCancel={() => setRemoving(undefined)}
        onConfirm={async () => {
          if (removing) await request('delete', '/v1/members/{id}', { path: { id: removing.id } });
          setRemoving(undefined);
          await members.reload();
        }}
        isDanger
      >
        {removing && (
          <p>
            Remove <strong className="target">{removing.email}</strong>? Their tokens, admin tokens and sessions end at once.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete role"
        onCancel={() => setDeleting(undefined)}
        onConfirm={async () => {
          if (deleting) await request('delete', '/v1/roles/{name}', { path: { name: deleting.name } });
          setDeleting(undefined);
          await roles.reload();
          await members.reload();
        }}
        isDanger
      >
        {deleting && (
          <p>
            Delete the role <strong className="target">{deleting.name}</strong>? Members lose it, and tokens issued for it are revoked.
          </p>
        )}
      </ConfirmDialog>
    </Page>
  );
}
