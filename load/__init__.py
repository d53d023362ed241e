"""`make load`: the load generator (locust) and its runner."""
