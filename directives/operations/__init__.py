"""Running the service: health and readiness, Prometheus metrics, the system checks and the backups."""
