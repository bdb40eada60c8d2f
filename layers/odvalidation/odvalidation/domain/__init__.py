"""The rules of the validation pathway. Nothing in this package imports boto3."""
