Feature: Worker isolation test (worker:test)
  A release engineer checks that an LLM worker starts on its own beside a mock hive, reports
  healthy, heartbeats, answers ready, generates real tokens, and leaves nothing behind.

  Scenario: The built-in reference worker passes
    When I run "worker:test --heartbeat-interval 0.3"
    Then the run passes with exit code 0
    And the check "inference JSON POST /v1/inference" passed with real tokens
    And the hive received heartbeats from the worker going Loading → Ready
    And no process of the run is left running

  Scenario Outline: The other built-in protocols pass too
    When I run "worker:test --profile <profile> --heartbeat-interval 0.3"
    Then the run passes with exit code 0
    And no process of the run is left running

    Examples:
      | profile      |
      | v1           |
      | llama-server |
      | openai       |

  Scenario: A worker that crashes at start fails fast, with its last log lines
    When I run "worker:test --worker-arg=--fault=crash-at-start"
    Then the run fails with exit code 1
    And the check "health" failed with "PROCESS_EXITED"
    And the summary shows the last log lines of "worker"
    And no process of the run is left running

  Scenario: A missing model file is refused before anything is started
    When I run "worker:test --model /nonexistent/tinyllama.gguf"
    Then the run fails with exit code 3
    And the check "model file" failed with "MODEL_NOT_FOUND"
    And no worker was started
