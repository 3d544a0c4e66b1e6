// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IWritingEditionsFactory
/// @author Permanent Press
/// @notice What an edition asks of the factory that created it.
interface IWritingEditionsFactory {
    /// @notice Where editions send the platform fee. The rate is fixed per edition at creation; the
    ///         recipient is the platform's current treasury, so the platform can rotate it.
    /// @return The current platform fee recipient (never the zero address).
    function feeRecipient() external view returns (address);
}
