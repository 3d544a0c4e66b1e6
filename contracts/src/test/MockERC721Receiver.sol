// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title MockERC721Receiver
/// @author Permanent Press
/// @notice Test double of a contract receiving ERC-721 tokens through `safeTransferFrom`, in each of the
///         ways a receiver can answer. Never deployed outside tests.
contract MockERC721Receiver is IERC721Receiver {
    /// @notice How `onERC721Received` answers.
    enum Mode {
        Accept,
        WrongValue,
        RevertWithReason,
        RevertEmpty
    }

    /// @notice The configured answer.
    Mode public mode;

    /// @notice Records an accepted token.
    /// @param operator Who called `safeTransferFrom`.
    /// @param from The previous owner.
    /// @param tokenId The token.
    /// @param data The data passed along.
    event Received(address indexed operator, address indexed from, uint256 indexed tokenId, bytes data);

    /// @notice Thrown in mode `RevertWithReason`.
    /// @param tokenId The refused token.
    error Refused(uint256 tokenId);

    /// @notice Chooses how to answer.
    /// @param mode_ The answer.
    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @notice ERC-721 receiver hook.
    /// @param operator Who called `safeTransferFrom`.
    /// @param from The previous owner.
    /// @param tokenId The token.
    /// @param data The data passed along.
    /// @return The selector when accepting; something else in mode `WrongValue`.
    function onERC721Received(
        address operator,
        address from,
        uint256 tokenId,
        bytes calldata data
    ) external returns (bytes4) {
        if (mode == Mode.RevertWithReason) revert Refused(tokenId);
        // An empty revert is what a contract without the hook produces; this mode imitates it.
        // solhint-disable-next-line reason-string, gas-custom-errors
        if (mode == Mode.RevertEmpty) revert();
        emit Received(operator, from, tokenId, data);
        return mode == Mode.WrongValue ? bytes4(0x12345678) : IERC721Receiver.onERC721Received.selector;
    }
}
