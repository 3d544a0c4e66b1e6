// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title MockERC1271Wallet
/// @author Permanent Press
/// @notice Test double of a smart-contract wallet: its owner approves digests, and ERC-1271 accepts
///         exactly those (the way Safe's pre-approved hashes work). Never deployed outside tests.
contract MockERC1271Wallet is IERC1271 {
    address private immutable OWNER;
    mapping(bytes32 digest => bool approved) private _approved;

    /// @notice Thrown when someone other than the owner approves a digest.
    error NotWalletOwner();

    /// @notice Creates a wallet controlled by the deployer.
    constructor() {
        OWNER = msg.sender;
    }

    /// @notice Approves `digest` as signed by this wallet.
    /// @param digest The digest.
    function approve(bytes32 digest) external {
        if (msg.sender != OWNER) revert NotWalletOwner();
        _approved[digest] = true;
    }

    /// @notice ERC-1271 check; the signature bytes are ignored.
    /// @param digest The digest.
    /// @return The magic value if approved, otherwise 0xffffffff.
    function isValidSignature(bytes32 digest, bytes calldata) external view returns (bytes4) {
        return _approved[digest] ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
