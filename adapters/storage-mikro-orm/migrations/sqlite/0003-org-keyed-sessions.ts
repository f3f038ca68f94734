import { Migration } from '@mikro-orm/migrations';

/**
 * SQLite: sessions keyed by (org_id, id) and session memory by (org_id, session_id, position). Clients may name
 * their sessions; with a key on the id alone, one org's session id blocked another org from using it (and its
 * conflict told that the id existed elsewhere). SQLite cannot change a primary key in place: each table is
 * rebuilt and its rows copied.
 */
export class SqliteOrgKeyedSessions extends Migration {
  override up(): void {
    this.addSql('create table `sessions_next` (`org_id` text not null, `id` text not null, `title` text null, `preset` text null, `metadata` json null, `created_at` text not null, `updated_at` text not null, primary key (`org_id`, `id`));');
    this.addSql('insert into `sessions_next` (`org_id`, `id`, `title`, `preset`, `metadata`, `created_at`, `updated_at`) select `org_id`, `id`, `title`, `preset`, `metadata`, `created_at`, `updated_at` from `sessions`;');
    this.addSql('drop table `sessions`;');
    this.addSql('alter table `sessions_next` rename to `sessions`;');
    this.addSql('create index `sessions_org_updated_index` on `sessions` (`org_id`, `updated_at`, `id`);');
    this.addSql('create table `messages_next` (`org_id` text not null, `session_id` text not null, `position` integer not null, `run_id` text null, `message` json not null, `created_at` text not null, primary key (`org_id`, `session_id`, `position`));');
    this.addSql('insert into `messages_next` (`org_id`, `session_id`, `position`, `run_id`, `message`, `created_at`) select `org_id`, `session_id`, `position`, `run_id`, `message`, `created_at` from `messages`;');
    this.addSql('drop table `messages`;');
    this.addSql('alter table `messages_next` rename to `messages`;');
  }

  /** Back to keys on the id alone: refused (by the copy's key) while two orgs share a session id. */
  override down(): void {
    this.addSql('create table `sessions_prev` (`id` text not null, `org_id` text not null, `title` text null, `preset` text null, `metadata` json null, `created_at` text not null, `updated_at` text not null, primary key (`id`));');
    this.addSql('insert into `sessions_prev` (`id`, `org_id`, `title`, `preset`, `metadata`, `created_at`, `updated_at`) select `id`, `org_id`, `title`, `preset`, `metadata`, `created_at`, `updated_at` from `sessions`;');
    this.addSql('drop table `sessions`;');
    this.addSql('alter table `sessions_prev` rename to `sessions`;');
    this.addSql('create index `sessions_org_updated_index` on `sessions` (`org_id`, `updated_at`, `id`);');
    this.addSql('create table `messages_prev` (`session_id` text not null, `position` integer not null, `org_id` text not null, `run_id` text null, `message` json not null, `created_at` text not null, primary key (`session_id`, `position`));');
    this.addSql('insert into `messages_prev` (`session_id`, `position`, `org_id`, `run_id`, `message`, `created_at`) select `session_id`, `position`, `org_id`, `run_id`, `message`, `created_at` from `messages`;');
    this.addSql('drop table `messages`;');
    this.addSql('alter table `messages_prev` rename to `messages`;');
  }
}
