@e2e @phase-3-6
Feature: e2e Phases 3–6 — spawn and registration
  The keeper asks the hive for a worker (model, backend, device); the worker registers with the
  hive and the keeper records it. Seed 004 spawned workers for model files that did not exist.

  Scenario: A missing model: no worker is spawned, and the message says how to fix it
    When I run the e2e flow with "--model /nonexistent/models/tinyllama.gguf"
    Then the run fails with exit code 3
    And the check "preflight: model file" failed with "MODEL_NOT_FOUND"
    And the output says "model file /nonexistent/models/tinyllama.gguf does not exist"
    And the output says "fix: pass --model <path.gguf>"
    And no phase ran
    And no worker was started

  Scenario: The hive itself refuses a model file that does not exist
    Given a spawning hive
    When the keeper asks it for a worker on model "/nonexistent/models/tinyllama.gguf"
    Then the hive refuses with "HIVE_REFUSED_MODEL" saying "does not exist", and no worker process runs

  Scenario: A worker that crashes at start fails Phase 6 at once, with its log, and nothing is left
    When I run the e2e flow with "--worker-arg=--fault=crash-at-start --register-timeout 120"
    Then the run fails with exit code 1
    And Phase "6" failed with "WORKER_EXITED"
    And the phases after "6" were not reached
    And the output says "fault injected (crash-at-start)"
    And no process of the run is left running
