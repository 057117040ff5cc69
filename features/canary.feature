Feature: Canary check (canary:check)
  A release engineer runs the same probes on a baseline and a canary, interleaved on one machine,
  and gets promote, hold or rollback, with the gate or metric that decided it.

  # 3 samples per round (the fewest a round may take): the canary's 32 tokens × 10 ms are 320 ms on every
  # request, and the judge's model (30 % between processes, 25 % per request; test/canary/judge) rolls
  # 5 rounds × 3 back in 20000 of 20000 runs at 40 ms per request and 19996 at 100 ms (× 4: 19999),
  # and holds 3 rounds × 3 naming "3 of 3 process pairs" in 20000 / 19999.
  Scenario: A worker canary that is slower per token is rolled back, naming the metric
    When I run "canary:check --kind worker --canary-fault slow-tokens --samples 15"
    Then the canary decision is "rollback" with exit code 1
    And the decision names the metric "inference latency"
    And every worker:test gate passed on both sides
    And each side of the canary run started 5 workers, none left running
    And no subject of the canary run is left running

  Scenario: A worker canary slower in each of only 3 process pairs is held for a person, not rolled back
    When I run "canary:check --kind worker --canary-fault slow-tokens --replicas 3 --samples 9"
    Then the canary decision is "hold" with exit code 4
    And the decision holds on the metric "inference latency" because 3 process pairs cannot show it
    And each side of the canary run started 3 workers, none left running

  # The chat scenarios: 0.5 s pings with a 1 s pong timeout (0.5 s timed out pongs that had arrived
  # when a subject was descheduled for half a second on a busy machine), detected within 2 s.
  Scenario: An unchanged bot (A/A calibration) is never rolled back
    When I run "canary:check --aa --idle 0.5 --ping-interval 0.5 --pong-timeout 1 --detect-within 2 --close-within 2 --samples 20"
    Then the canary decision is not "rollback"
    And every gate passed on both sides
    And no subject of the canary run is left running

  Scenario: A gate both sides fail holds, naming the budget, and never rolls an A/A back
    When I run "canary:check --aa --idle 0.5 --ping-interval 0.5 --pong-timeout 2 --detect-within 0.1 --close-within 2 --samples 20"
    Then the canary decision is "hold" with exit code 4
    And the decision holds because the gate "stale path after idle" fails on both sides
    And no subject of the canary run is left running

  Scenario: A canary bot that crashes is rolled back, naming its exit
    When I run "canary:check --canary-fault crash --idle 0.5 --ping-interval 0.5 --pong-timeout 1 --detect-within 2 --close-within 2 --samples 20"
    Then the canary decision is "rollback" with exit code 1
    And the decision names the canary's exit "exited with code 1"
    And no subject of the canary run is left running

  Scenario: A policy server canary that loads slower is rolled back, naming the metric
    When I run "canary:check --kind policy --canary-fault slow-load --samples 20"
    Then the canary decision is "rollback" with exit code 1
    And the decision names the metric "cold start to ready"
    And no subject of the canary run is left running

  Scenario: A chat service canary without keepalive is rolled back on the stale-path probe
    When I run "canary:check --kind ws-server --canary-fault keepalive-off --idle 0.5 --ping-interval 0.5 --pong-timeout 1 --max-age 7 --detect-within 2 --close-within 2 --reconnect-within 2 --reply-timeout 2 --samples 20"
    Then the canary decision is "rollback" with exit code 1
    And the decision names the gate "stale path after idle"
    And the gate "stale path after idle" passed on the baseline and failed on the canary
    And no subject of the canary run is left running

  Scenario: A canary without a baseline is a usage error
    When I run "canary:check --canary 'node bot.js --url {url}'"
    Then the run fails with exit code 2
