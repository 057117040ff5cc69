Feature: Training servers that stream job progress over WebSocket
  A training server used to be polled for progress.json every 2 seconds; now it streams each job's
  progress to WebSocket clients. As a release engineer I want the harness to check that every
  client gets the same timely updates, that leaving clients are forgotten, that the connection
  cap holds and unknown jobs are refused, and to name what a broken server does wrong.

  Scenario: A job's progress stream passes the main checks
    Given the reference training server runs a job of 80 steps at 0.05 seconds per step
    When the training stream checks run with 3 watching clients
    Then the status check "unknown job" passes
    And the status check "message schema" passes
    And the status check "update interval" passes
    And the largest gap between updates stayed under 1 second
    And the status check "end-to-end latency" passes
    And the status check "identical sequences" passes
    And the status check "final message and close" passes
    And the status check "REST fallback" passes

  Scenario: A server that never forgets disconnected clients is caught leaking
    Given the reference training server runs a job of 80 steps at 0.05 seconds per step with the fault "leak"
    When the training stream checks run with 3 watching clients
    Then the status check "client disconnect" fails with "CONNECTION_LEAK"
    And the failure says "it does not forget disconnected clients"
    And the status check "identical sequences" passes

  Scenario: A trainer that dies without the server noticing stalls the stream, and the harness names it
    Given the reference training server runs a job of 80 steps at 0.05 seconds per step with the fault "silent-crash"
    When the training stream checks run with 3 watching clients and a message timeout of 2 seconds
    Then the status check "stream stall" fails with "STREAM_STALLED"
    And the failure says "the socket was still open"
    And the status check "final message and close" is skipped
