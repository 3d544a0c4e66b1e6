// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title OwnedWallet
/// @author Permanent Press
/// @notice Test double of a smart-contract wallet: a signature is valid when its owner's key signed
///         the digest itself (ERC-1271). Never deployed outside tests.
contract OwnedWallet is IERC1271 {
    /// @notice The key that signs for this wallet.
    address public immutable OWNER;

    /// @notice Creates a wallet signed for by `owner`.
    /// @param owner The owner's address.
    constructor(address owner) {
        OWNER = owner;
    }

    /// @notice ERC-1271 check of an ECDSA signature by the owner over `digest`.
    /// @param digest The digest.
    /// @param signature The owner's 65-byte signature.
    /// @return The magic value if the owner signed `digest`, otherwise 0xffffffff.
    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(digest, signature);
        return error == ECDSA.RecoverError.NoError && signer == OWNER ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
