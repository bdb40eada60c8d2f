"""Data access: the only modules that talk to AWS. Each client is made once per process."""
