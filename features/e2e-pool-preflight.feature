@e2e @phase-2
Feature: e2e Phase 2 — pool preflight
  Before asking for a worker, the keeper checks that the hive on the node answers GET /v1/health.

  Scenario Outline: Node <node> is reached at <url>
    Then node "<node>" with hive port 8080 is reached at "<url>"

    Examples:
      | node        | url                             |
      | localhost   | http://localhost:8080           |
      | 127.0.0.1   | http://127.0.0.1:8080           |
      | gpu-node-1  | http://gpu-node-1.home.arpa:8080 |

  Scenario: A hive that never answers health fails Phase 2 within the health timeout; nothing is spawned
    When I run the e2e flow with "--hive-cmd '%node% %fixtures%silent-hive.mjs {port}' --health-timeout 1.5"
    Then the run fails with exit code 1
    And Phase "2" failed with "POOL_UNHEALTHY"
    And the phases after "2" were not reached
    And the summary shows the last log lines of "hive"

  Scenario: A hive whose command exits at once fails Phase 2 at once, with its exit
    When I run the e2e flow with "--hive-cmd '%node% %fixtures%exit-early.mjs' --health-timeout 30"
    Then the run fails with exit code 1
    And Phase "2" failed with "POOL_EXITED"
