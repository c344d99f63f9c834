-- One database per service (services never read each other's tables).
CREATE DATABASE contract_registry;
CREATE DATABASE reimbursement_engine;
CREATE DATABASE obligation_tracker;
CREATE DATABASE notifier;
