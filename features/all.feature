@all
Feature: all — the release run
  @slow @serial
  Scenario: preflight, worker:test, status-protocol:test and e2e pass against the built-in fixtures
    When I run "all"
    Then the run passes with exit code 0
    And no process of the run is left running
