@e2e @phase-7-8
Feature: e2e Phases 7–8 — ready and inference
  The keeper waits for the worker to say ready — failing fast after 10 consecutive connection or
  HTTP errors, waiting on only while it answers "not ready yet" — then asks for tokens.

  @slow
  Scenario: The whole flow passes: all 8 phases, tokens back, the worker's row in the registry
    When I run the e2e flow
    Then the run passes with exit code 0
    And phases 1 through 8 passed and the [Phase N] ✓ lines were printed
    And the registry file holds the worker's row, read by another SQLite
    And no process of the run is left running

  @slow
  Scenario: An unreachable worker fails Phase 7 after 10 consecutive errors, not after minutes
    When I run the e2e flow with "--worker-arg=--port=0 --error-interval 0.2 --ready-timeout 300"
    Then the run fails with exit code 1
    And Phase "7" failed with "WORKER_UNREACHABLE"
    And it gave up after 10 consecutive errors, not after the ready timeout
    And the summary shows the last log lines of "hive"
    And no process of the run is left running

  @gpu @slow
  Scenario: The flow on CUDA (a GPU machine with the CUDA build)
    When I run the e2e flow with "--backend cuda --device 0"
    Then the run passes with exit code 0
    And no process of the run is left running
