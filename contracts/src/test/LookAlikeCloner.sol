// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

/// @title LookAlikeCloner
/// @author Permanent Press
/// @notice Test double of an impostor: clones the factory's edition implementation with arguments of
///         its choosing, outside the factory. The clone's `factory()` names the real factory, so only
///         the factory's `isEdition` can tell it apart. Never deployed outside tests.
contract LookAlikeCloner {
    /// @notice A look-alike was deployed.
    /// @param clone Its address.
    event Cloned(address indexed clone);

    /// @notice Deploys a clone of `implementation` carrying `args`, with CREATE2 under `salt`.
    /// @param implementation The edition implementation (the factory's `implementation()`).
    /// @param args The packed edition arguments, as the factory would lay them out.
    /// @param salt The CREATE2 salt.
    /// @return instance The look-alike.
    function clone(address implementation, bytes calldata args, bytes32 salt) external returns (address instance) {
        instance = Clones.cloneDeterministicWithImmutableArgs(implementation, args, salt);
        emit Cloned(instance);
    }
}
