@e2e @phase-1
Feature: e2e Phase 1 — the keeper's worker registry
  The keeper records workers in a SQLite database file. Seed 004 could not open it: a bare path
  lacked the sqlite:// prefix and ?mode=rwc, so a first run never created the database.

  Scenario: A bare path becomes sqlite://<path>?mode=rwc; the file and its directories are created
    Given a registry at "%dir%/nested/dir/workers.db"
    When the keeper opens the registry
    Then its connection string is "sqlite://%dir%/nested/dir/workers.db?mode=rwc"
    And a worker row the keeper writes is read back by another SQLite from the file

  Scenario: The seed's bug stays caught: sqlite:// without ?mode=rwc does not create a missing database
    Given a registry at "sqlite://%dir%/missing.db"
    When the keeper opens the registry
    Then opening fails with "REGISTRY_NOT_FOUND" and the fix says "?mode=rwc"

  Scenario Outline: <what> passes through unchanged
    Given a registry at "<connection>"
    When the keeper opens the registry
    Then its connection string is "<connection>"

    Examples:
      | what               | connection                         |
      | an in-memory store | :memory:                           |
      | a file: URI        | file:%dir%/uri.db                  |
      | a full sqlite:// URL | sqlite://%dir%/full.db?mode=rwc  |
