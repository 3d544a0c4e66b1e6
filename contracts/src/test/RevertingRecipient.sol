// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WritingEditions} from "../WritingEditions.sol";

/// @title RevertingRecipient
/// @author Permanent Press
/// @notice Test double of a payee that refuses ether until told otherwise, and can claim its credits
///         elsewhere. Never deployed outside tests.
contract RevertingRecipient {
    /// @notice Whether `receive` accepts ether.
    bool public accepting;

    /// @notice Thrown by `receive` while not accepting.
    error Refused();

    /// @notice Accepts ether only while `accepting`.
    receive() external payable {
        if (!accepting) revert Refused();
    }

    /// @notice Switches acceptance.
    /// @param value The new setting.
    function setAccepting(bool value) external {
        accepting = value;
    }

    /// @notice Claims this contract's credits from `edition`, paid to `to`.
    /// @param edition The edition.
    /// @param to The address to pay.
    function claimFrom(WritingEditions edition, address payable to) external {
        edition.claim(to);
    }
}
