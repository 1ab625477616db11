"""Mail adapter: IMAP sync, MIME parsing, drafts and SMTP sending."""
