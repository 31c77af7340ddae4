"""The model registry: uploads, versions, schemas and test predictions."""
