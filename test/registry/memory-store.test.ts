// The in-memory registry store (the document store's simplest backend) against the shared contract.
import t from 'tap'
import { openMemoryRegistryStore } from '../../registry/memory-store.js'
import { registryStoreContract } from './store-contract.js'

registryStoreContract(t, 'Memory', () => openMemoryRegistryStore())
