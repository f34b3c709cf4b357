"""Operations: backup and restore of an instance."""
