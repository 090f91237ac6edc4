"""Escalation to a person (issue 5): records and queue in Redis, RQ jobs, staff actions.

Public names for other features:
  records.Escalation, records.load, records.transcript, records.Entry   the data
  queue.claim / release / resolve / open_escalations / view_for          the shared queue
  conversation.open_escalation / receive / detach / attach               the texter's side
  actions.claim / reply / resolve / reveal                              staff actions (audited)
  jobs.alert / jobs.send_entry                                          RQ job functions
  senders.read_outbox / OutboxSender / TwilioSender / sender_for        sending SMS
  seal.seal / seal.unseal                                               at-rest hook (issue 6)
  accounts, audit                                                       staff accounts, audit log
"""
