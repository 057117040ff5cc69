Feature: Policy servers that stream model-loading status
  A robot-policy server can take minutes to load a checkpoint. While it loads it must keep every
  client informed with status frames often enough that no keepalive or per-message timeout drops
  the connection, refuse unknown models clearly, and serve inference once ready. As a release
  engineer I want the harness to check this and to name what a broken server does wrong.

  Scenario: A cold start with periodic status updates passes
    Given the reference policy server loads a model in 1 second with a status update every 0.2 seconds
    When the status protocol checks run with a keepalive of 1 second
    Then the status check "model listing" passes
    And the status check "cold start" passes
    And the cold start saw at least 4 loading frames before ready
    And the largest gap between status frames stayed under the keepalive
    And the status check "inference after ready" passes

  Scenario: An unknown model is refused with close code 1008 and the list of models
    Given the reference policy server serves the models "alpha,beta"
    When a client asks for a session on the model "nope"
    Then the server answers with an error that names "nope" and lists "alpha" and "beta"
    And the server closes the connection with code 1008 without a hang

  Scenario: A server that blocks its event loop while loading is named as such
    Given the reference policy server blocks its event loop while it loads a model for 2 seconds
    When the status protocol checks run with a keepalive of 1 second
    Then the status check "cold start" fails with "KEEPALIVE_TIMEOUT"
    And the failure says "the server blocks its event loop while loading (no frames, no pongs)"
    And the status check "inference after ready" is skipped
