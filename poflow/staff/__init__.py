"""The staff register's safeguards: one person, one mailbox, one login; approval roles granted
only after a second person confirms them."""
