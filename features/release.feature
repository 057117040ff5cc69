@release
Feature: Release checks against your build
  The release candidate's own commands come from the config file (hivecheck.config.* found from
  where the suite runs, or `npx hivecheck features --config <file>`): worker:test's worker-cmd,
  status-protocol:test's server-cmd, e2e's hive-cmd and keeper-cmd, canary:check's baseline and
  canary. Without a config every scenario runs against the built-in fixtures.

  Scenario: The worker passes its isolation test
    When I run "worker:test"
    Then the run passes with exit code 0
    And no process of the run is left running

  Scenario: The policy server's model-loading status stream keeps the protocol
    When I run "status-protocol:test"
    Then the run passes with exit code 0

  Scenario: The training server's progress stream keeps the protocol
    When I run "status-protocol:test --protocol training"
    Then the run passes with exit code 0

  @slow
  Scenario: keeper → hive → worker: all 8 phases pass, tokens come back
    When I run "e2e"
    Then the run passes with exit code 0

  @slow
  Scenario: The canary is not rolled back against the baseline
    When I run "canary:check"
    Then the canary is not rolled back
