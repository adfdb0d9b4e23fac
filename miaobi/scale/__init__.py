"""Running Miaobi at scale: the Redis cache that degrades to the database, the production server."""
