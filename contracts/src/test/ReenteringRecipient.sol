// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WritingEditions} from "../WritingEditions.sol";

/// @title ReenteringRecipient
/// @author Permanent Press
/// @notice Test double of a hostile payee: on receiving ether it calls back into the edition once. With
///         `swallow` it hides a failed re-entry and keeps the payment; without, it refuses the payment
///         when the re-entry fails. Never deployed outside tests.
contract ReenteringRecipient {
    /// @notice What `receive` calls back.
    enum Target {
        Withdraw,
        Claim
    }

    /// @notice The edition attacked.
    WritingEditions public edition;
    /// @notice Which function to re-enter.
    Target public target;
    /// @notice Whether a failed re-entry is hidden.
    bool public swallow;
    /// @notice How many re-entries were attempted (and kept: a refused payment rolls its attempt back).
    uint256 public attempts;
    /// @notice How many re-entries succeeded (the edition must keep this at 0).
    uint256 public successes;

    /// @notice Thrown to refuse a payment after a failed re-entry.
    error ReentryFailed();

    /// @notice Configures the attack.
    /// @param edition_ The edition.
    /// @param target_ Which function to re-enter.
    /// @param swallow_ Whether to hide a failed re-entry.
    function arm(WritingEditions edition_, Target target_, bool swallow_) external {
        edition = edition_;
        target = target_;
        swallow = swallow_;
    }

    // A hostile receive hook is the point of this contract.
    // solhint-disable no-complex-fallback
    /// @notice Re-enters the edition on the first payment after `arm`.
    receive() external payable {
        if (address(edition) == address(0) || attempts != 0) return;
        ++attempts;
        if (target == Target.Withdraw ? _tryWithdraw() : _tryClaim()) ++successes;
        else if (!swallow) revert ReentryFailed();
    }
    // solhint-enable no-complex-fallback

    function _tryWithdraw() private returns (bool) {
        try edition.withdraw() {
            return true;
        } catch {
            return false;
        }
    }

    function _tryClaim() private returns (bool) {
        try edition.claim(payable(address(this))) {
            return true;
        } catch {
            return false;
        }
    }
}
