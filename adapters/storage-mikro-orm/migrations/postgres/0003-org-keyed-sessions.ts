import { Migration } from '@mikro-orm/migrations';

/**
 * Postgres: sessions keyed by (org_id, id) and session memory by (org_id, session_id, position). Clients may
 * name their sessions; with a key on the id alone, one org's session id blocked another org from using it (and
 * its conflict told that the id existed elsewhere).
 */
export class PostgresOrgKeyedSessions extends Migration {
  override up(): void {
    this.addSql('alter table "sessions" drop constraint "sessions_pkey";');
    this.addSql('alter table "sessions" add constraint "sessions_pkey" primary key ("org_id", "id");');
    this.addSql('alter table "messages" drop constraint "messages_pkey";');
    this.addSql('alter table "messages" add constraint "messages_pkey" primary key ("org_id", "session_id", "position");');
  }

  /** Back to keys on the id alone: refused while two orgs share a session id. */
  override down(): void {
    this.addSql('alter table "sessions" drop constraint "sessions_pkey";');
    this.addSql('alter table "sessions" add constraint "sessions_pkey" primary key ("id");');
    this.addSql('alter table "messages" drop constraint "messages_pkey";');
    this.addSql('alter table "messages" add constraint "messages_pkey" primary key ("session_id", "position");');
  }
}
