@preflight
Feature: preflight — what the other tasks need, checked first
  Scenario: This machine has what the built-in fixtures need
    When I run "preflight"
    Then the run passes with exit code 0

  Scenario: Missing things are named with a fix, and the run exits 3
    When I run "preflight --model /nonexistent/model.gguf --backend cpu,cuda"
    Then the run fails with exit code 3
    And the check "model file" failed with "MODEL_NOT_FOUND"
    And the check "worker command (cuda)" failed with "ENGINE_BUILD_MISSING"
