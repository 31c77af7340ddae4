"""Batch jobs: definitions, runs dispatched as Ray jobs, and the cron scheduler."""
