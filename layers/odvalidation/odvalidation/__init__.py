"""System OD Validation: the domain package shared by every Lambda function through the layer."""
