@e2e @cleanup
Feature: e2e cleanup — no worker outlives a run
  Seed 004: "If test fails, worker process may keep running". Every run stops what it spawned and
  proves it; a keeper that does not is caught.

  Scenario: A keeper that fails and leaves its worker running is caught, and the worker is stopped anyway
    When I run the e2e flow with "--keeper-cmd '%node% %fixtures%leaky-keeper.mjs {hiveUrl} {workerId} {model}'"
    Then the run fails with exit code 1
    And the check "teardown: no worker left" failed with "WORKER_LEFT_RUNNING"
    And the check "keeper exit" failed with "KEEPER_FAILED"
    And no process of the run is left running

  @slow
  Scenario: Your own keeper runs through --keeper-cmd (here the harness's keeper as a separate process)
    When I run the e2e flow with "--keeper-cmd '%node% bin/hivecheck.mjs e2e --external-hive --node {node} --hive-port {hivePort} --registry {registry} --worker-id {workerId} --model {model} --model-ref {modelRef} --max-tokens 4'"
    Then the run passes with exit code 0
    And phases 1 through 8 passed and the [Phase N] ✓ lines were printed
    And the registry file holds the worker's row, read by another SQLite
    And no process of the run is left running
