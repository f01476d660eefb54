/// The case store's schema, as numbered migrations. A migration is never edited once shipped:
/// a change is a new one, applied in order in one transaction each.
enum Schema {
    static let migrations: [(version: Int, sql: String)] = [
        (
            1,
            """
            CREATE TABLE clients (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                language TEXT NOT NULL CHECK (language IN ('fr', 'en'))
            );

            -- The file ledger: every file received, once, whatever became of it.
            CREATE TABLE files (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                client_id TEXT NOT NULL REFERENCES clients(id),
                source TEXT NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('drop','sftp','portal','fax','mail','email')),
                name TEXT NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                received_at TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('ingested', 'duplicate-file', 'refused')),
                reason TEXT,
                format TEXT,
                encoding TEXT,
                delimiter TEXT,
                records INTEGER NOT NULL DEFAULT 0,
                accepted INTEGER NOT NULL DEFAULT 0,
                duplicates INTEGER NOT NULL DEFAULT 0,
                rejected INTEGER NOT NULL DEFAULT 0,
                printed_total_cents INTEGER,
                computed_total_cents INTEGER,
                duplicate_of INTEGER REFERENCES files(id),
                -- Where the original was when recorded, and where it was put after the commit.
                original_path TEXT NOT NULL,
                disposed_to TEXT,
                disposed_at TEXT,
                documents_done INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX files_by_content ON files(client_id, sha256, outcome);
            CREATE INDEX files_pending ON files(disposed_at) WHERE disposed_at IS NULL;

            CREATE TABLE cases (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                -- Our reference is the case number itself, so it is unique and never reused without
                -- an index of its own to maintain. `CaseRecorder.ourReference` writes it the same way.
                our_ref TEXT GENERATED ALWAYS AS (printf('AC%07d', id)) VIRTUAL,
                client_id TEXT NOT NULL REFERENCES clients(id),
                client_ref TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('consumer', 'commercial')),
                opened_on TEXT NOT NULL,
                assigned_cents INTEGER NOT NULL CHECK (assigned_cents > 0),
                principal_cents INTEGER,
                interest_cents INTEGER,
                fees_cents INTEGER,
                recovered_cents INTEGER NOT NULL DEFAULT 0,
                balance_cents INTEGER NOT NULL,
                status TEXT NOT NULL,
                sub_status TEXT NOT NULL,
                closed_on TEXT,
                closure_reason TEXT,
                balance_at_closure_cents INTEGER,
                original_creditor TEXT,
                creditor_classification TEXT,
                charge_off_date TEXT,
                first_delinquency_date TEXT,
                last_payment_date TEXT,
                file_id INTEGER NOT NULL REFERENCES files(id),
                file_line INTEGER NOT NULL
            );
            -- At most one open case per client reference: the duplicate rule, enforced.
            CREATE UNIQUE INDEX cases_open_by_client_ref ON cases(client_id, client_ref) WHERE
                status <> 'closed';
            CREATE INDEX cases_by_client ON cases(client_id, id);
            CREATE INDEX cases_by_file ON cases(file_id);

            CREATE TABLE status_history (
                id INTEGER PRIMARY KEY,
                case_id INTEGER NOT NULL REFERENCES cases(id),
                at TEXT NOT NULL,
                status TEXT NOT NULL,
                sub_status TEXT NOT NULL,
                reason TEXT,
                source TEXT NOT NULL
            );
            CREATE INDEX status_history_by_case ON status_history(case_id);

            -- Debtors and co-debtors of a case. The SIN and date of birth are kept for the credit
            -- bureaus and never leave the store unmasked otherwise.
            CREATE TABLE debtors (
                id INTEGER PRIMARY KEY,
                case_id INTEGER NOT NULL REFERENCES cases(id),
                role TEXT NOT NULL CHECK (role IN ('debtor', 'co-debtor')),
                name_as_given TEXT NOT NULL,
                first_name TEXT,
                last_name TEXT,
                company_name TEXT,
                address_line1 TEXT,
                address_line2 TEXT,
                city TEXT,
                province TEXT,
                postal_code TEXT,
                country TEXT,
                phone_home TEXT,
                phone_work TEXT,
                phone_mobile TEXT,
                email TEXT,
                language TEXT,
                birth_date TEXT,
                sin TEXT
            );
            CREATE INDEX debtors_by_case ON debtors(case_id);

            -- The notes log (carnet de notes).
            CREATE TABLE notes (
                id INTEGER PRIMARY KEY,
                case_id INTEGER NOT NULL REFERENCES cases(id),
                at TEXT NOT NULL,
                author TEXT NOT NULL,
                text TEXT NOT NULL
            );
            CREATE INDEX notes_by_case ON notes(case_id);

            -- The accounting of a case: payments, adjustments, with the commission and taxes owed.
            CREATE TABLE transactions (
                id INTEGER PRIMARY KEY,
                case_id INTEGER NOT NULL REFERENCES cases(id),
                on_date TEXT NOT NULL,
                kind TEXT NOT NULL,
                amount_cents INTEGER NOT NULL,
                commission_cents INTEGER NOT NULL DEFAULT 0,
                gst_cents INTEGER NOT NULL DEFAULT 0,
                qst_cents INTEGER NOT NULL DEFAULT 0,
                source TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            );
            CREATE INDEX transactions_by_case ON transactions(case_id);

            -- Rows of a file that did not become cases: refused, or duplicates of open cases.
            CREATE TABLE rejects (
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES files(id),
                line INTEGER NOT NULL,
                field TEXT,
                reason TEXT NOT NULL,
                client_ref TEXT,
                duplicate_of INTEGER REFERENCES cases(id)
            );
            CREATE INDEX rejects_by_file ON rejects(file_id);

            -- Documents sent to a client: acknowledgements, reject reports, inventories.
            CREATE TABLE documents (
                id INTEGER PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES clients(id),
                kind TEXT NOT NULL,
                path TEXT NOT NULL,
                file_id INTEGER REFERENCES files(id),
                created_at TEXT NOT NULL
            );
            CREATE INDEX documents_by_file ON documents(file_id);
            """
        ),
        (
            2,
            """
            -- Files taken from clients' SFTP servers. A row is made before the download, so that
            -- the staging folder is named after it; sha256 is set once the download is whole.
            -- staged: in local staging, not yet committed; committed: its ledger row (file_id) and
            -- cases are committed, the remote original is still there; disposed: the remote
            -- original was moved to the archive folder or deleted (or found gone).
            CREATE TABLE remote_pickups (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                client_id TEXT NOT NULL REFERENCES clients(id),
                server TEXT NOT NULL,
                remote_path TEXT NOT NULL,
                size INTEGER NOT NULL,
                remote_modified INTEGER NOT NULL,
                sha256 TEXT,
                state TEXT NOT NULL CHECK (state IN ('staged', 'committed', 'disposed')),
                staging_path TEXT NOT NULL,
                file_id INTEGER REFERENCES files(id),
                disposed_to TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                taken_at TEXT NOT NULL,
                committed_at TEXT,
                disposed_at TEXT
            );
            -- A remote path is in hand at most once at a time: it cannot be taken again until its
            -- earlier pickup is disposed.
            CREATE UNIQUE INDEX remote_pickups_in_hand ON remote_pickups(client_id, remote_path)
                WHERE state <> 'disposed';

            -- Outbound files pushed to clients' SFTP servers. pending: not yet on the server under a
            -- temporary name; uploaded: the temporary file is whole (size checked), the rename is
            -- left; delivered: visible under remote_name; superseded: the local file changed before
            -- it went out, and a newer row carries it.
            CREATE TABLE deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                client_id TEXT NOT NULL REFERENCES clients(id),
                local_path TEXT NOT NULL,
                local_size INTEGER NOT NULL,
                local_modified INTEGER NOT NULL,
                remote_folder TEXT NOT NULL,
                remote_name TEXT,
                state TEXT NOT NULL CHECK (state IN ('pending', 'uploaded', 'delivered', 'superseded')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                created_at TEXT NOT NULL,
                delivered_at TEXT
            );
            CREATE UNIQUE INDEX deliveries_by_version
                ON deliveries(client_id, local_path, local_size, local_modified);
            CREATE INDEX deliveries_open ON deliveries(client_id, state) WHERE state IN ('pending',
                'uploaded');
            """
        ),
        (
            3,
            """
            -- Disputes (contestations) of a case: open until resolved. The credit-bureau feed
            -- reports XB while one is open and XH once when it is resolved.
            CREATE TABLE disputes (
                id INTEGER PRIMARY KEY,
                case_id INTEGER NOT NULL REFERENCES cases(id),
                opened_on TEXT NOT NULL,
                reason TEXT NOT NULL,
                resolved_on TEXT,
                outcome TEXT
            );
            CREATE INDEX disputes_by_case ON disputes(case_id);

            -- Cases the agency asks a bureau to delete (reported in error): DA once, then nothing.
            CREATE TABLE bureau_deletions (
                case_id INTEGER PRIMARY KEY REFERENCES cases(id),
                requested_at TEXT NOT NULL,
                reason TEXT NOT NULL
            );

            -- One file written per bureau and month; a month is written again only when asked,
            -- and then the row is replaced.
            CREATE TABLE bureau_files (
                id INTEGER PRIMARY KEY,
                bureau TEXT NOT NULL CHECK (bureau IN ('equifax', 'acces')),
                month TEXT NOT NULL,
                path TEXT NOT NULL,
                written_at TEXT NOT NULL,
                records INTEGER NOT NULL,
                excluded INTEGER NOT NULL,
                UNIQUE (bureau, month)
            );

            -- What was reported, per bureau, case and month: the history each month follows from.
            -- Written only by the bureau feed, from case ids it read in the same transaction; no
            -- foreign key, because a month's million rows would each pay a lookup for nothing.
            CREATE TABLE bureau_reports (
                bureau TEXT NOT NULL,
                month TEXT NOT NULL,
                case_id INTEGER NOT NULL,
                status TEXT NOT NULL,
                special_comment TEXT NOT NULL,
                compliance TEXT NOT NULL,
                balance_cents INTEGER NOT NULL,
                first_delinquency_date TEXT NOT NULL,
                PRIMARY KEY (bureau, month, case_id)
            ) WITHOUT ROWID;

            -- The latest report per bureau and case, so that a month reads one row per case; the
            -- month's history rows are copied from it once the month is written.
            CREATE TABLE bureau_accounts (
                bureau TEXT NOT NULL,
                case_id INTEGER NOT NULL,
                first_month TEXT NOT NULL,
                last_month TEXT NOT NULL,
                last_status TEXT NOT NULL,
                last_special_comment TEXT NOT NULL,
                last_compliance TEXT NOT NULL,
                last_balance_cents INTEGER NOT NULL,
                first_delinquency_date TEXT NOT NULL,
                PRIMARY KEY (bureau, case_id)
            ) WITHOUT ROWID;
            """
        ),
        (
            4,
            """
            -- Rows of faxed lists a person must look at before they become cases.
            CREATE TABLE review_items (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                file_id INTEGER NOT NULL REFERENCES files(id),
                line INTEGER NOT NULL,
                page INTEGER NOT NULL DEFAULT 1,
                raw_text TEXT NOT NULL,
                reason TEXT NOT NULL,
                amount_cents INTEGER,
                state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'corrected', 'discarded')),
                case_id INTEGER REFERENCES cases(id),
                resolved_by TEXT,
                resolved_at TEXT,
                resolution TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX review_items_by_file ON review_items(file_id, state);
            CREATE INDEX review_items_open ON review_items(state) WHERE state = 'open';

            -- Each field as OCR read it, and as proposed for validation once repaired.
            CREATE TABLE review_fields (
                id INTEGER PRIMARY KEY,
                item_id INTEGER NOT NULL REFERENCES review_items(id),
                field TEXT NOT NULL,
                as_read TEXT NOT NULL,
                proposed TEXT NOT NULL
            );
            CREATE INDEX review_fields_by_item ON review_fields(item_id);

            -- Every action on a review item: held, accepted, corrected, discarded.
            CREATE TABLE review_actions (
                id INTEGER PRIMARY KEY,
                item_id INTEGER NOT NULL REFERENCES review_items(id),
                at TEXT NOT NULL,
                by TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT
            );
            CREATE INDEX review_actions_by_item ON review_actions(item_id);

            -- An emailed message, recorded as a file of the ledger; its attachments are files whose
            -- source is `message F0000042`.
            CREATE TABLE email_messages (
                file_id INTEGER PRIMARY KEY REFERENCES files(id),
                sender TEXT,
                subject TEXT,
                sent_at TEXT,
                message_id TEXT,
                -- Attachments taken as lists, and those left aside with why.
                attachments INTEGER NOT NULL DEFAULT 0,
                skipped TEXT
            );
            CREATE INDEX files_by_source ON files(source);
            """
        ),
        (
            5,
            """
            -- Client updates (payments to the creditor, adjustments, recalls, contact changes) a
            -- file applied to cases already assigned.
            ALTER TABLE files ADD COLUMN updates INTEGER NOT NULL DEFAULT 0;
            -- Columns of the file that no field reads, separated by `|`: the client is told.
            ALTER TABLE files ADD COLUMN unused_columns TEXT;
            """
        ),
        (
            6,
            """
            -- A bureau file sent to the bureau's SFTP server: when, or the last reason it could not be.
            ALTER TABLE bureau_files ADD COLUMN uploaded_at TEXT;
            ALTER TABLE bureau_files ADD COLUMN upload_error TEXT;
            """
        ),
    ]
}
